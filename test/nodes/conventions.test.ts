import type { INodeProperties, INodePropertyCollection, INodePropertyOptions } from 'n8n-workflow';

import { SmartIdApi } from '../../credentials/SmartIdApi.credentials';
import { SmartId } from '../../nodes/SmartId/SmartId.node';
import { SmartIdTrigger } from '../../nodes/SmartIdTrigger/SmartIdTrigger.node';

/** Every parameter of the node, the trigger and the credential, with the options of collections. */
function allProperties(): Array<{ where: string; p: INodeProperties }> {
	const out: Array<{ where: string; p: INodeProperties }> = [];
	const walk = (where: string, list: INodeProperties[]) => {
		for (const p of list) {
			out.push({ where, p });
			if (p.type === 'collection') walk(`${where} → ${p.name}`, p.options as INodeProperties[]);
			if (p.type === 'fixedCollection') {
				for (const group of p.options as INodePropertyCollection[]) walk(`${where} → ${p.name}.${group.name}`, group.values);
			}
		}
	};
	walk('Smart-ID', new SmartId().description.properties);
	walk('Smart-ID Trigger', new SmartIdTrigger().description.properties);
	walk('credential', new SmartIdApi().properties);
	return out;
}

/** Two or more sentences: a full stop followed by a capital letter (so "e.g. x" stays one sentence). */
const multiSentence = (text: string) => /[.!?]\s+[A-Z]/.test(text);

// The checks eslint-plugin-n8n-nodes-base (n8n's own node lint) makes on descriptions; that plugin is not
// installed here, so the same rules are applied to the built descriptions.
describe('n8n parameter conventions (node, trigger, credential)', () => {
	const properties = allProperties();

	test('options and collections with five or more entries are sorted by name', () => {
		const unsorted = properties
			.filter(({ p }) => (p.type === 'options' || p.type === 'multiOptions' || p.type === 'collection') && (p.options?.length ?? 0) >= 5)
			.filter(({ p }) => {
				const names = (p.options as Array<INodePropertyOptions | INodeProperties>).map((o) => ('displayName' in o ? o.displayName : o.name));
				return names.join('\n') !== [...names].sort((a, b) => a.localeCompare(b)).join('\n');
			})
			.map(({ where, p }) => `${where}: ${p.name}`);
		expect(unsorted).toEqual([]);
	});

	test('descriptions: one sentence without a final period, several sentences with one; booleans start with "Whether"', () => {
		const problems: string[] = [];
		const check = (where: string, text: string | undefined) => {
			if (!text) return;
			if (text !== text.trim()) problems.push(`${where}: untrimmed`);
			if (multiSentence(text) && !/[.)]$/.test(text)) problems.push(`${where}: several sentences need a final period`);
			if (!multiSentence(text) && text.endsWith('.') && !text.endsWith('...')) problems.push(`${where}: one sentence takes no final period`);
		};
		for (const { where, p } of properties) {
			if (p.type === 'notice') continue;
			check(`${where}: ${p.name}`, p.description);
			if (p.type === 'boolean' && !/^Whether /.test(p.description ?? '')) problems.push(`${where}: ${p.name}: boolean description must start with "Whether"`);
			if (p.type === 'options' || p.type === 'multiOptions') {
				for (const o of (p.options ?? []) as INodePropertyOptions[]) check(`${where}: ${p.name}=${String(o.value)}`, o.description);
			}
		}
		expect(problems).toEqual([]);
	});

	test('every required text field says what to enter (placeholder or description)', () => {
		const bare = properties
			.filter(({ p }) => p.type === 'string' && p.required && !p.placeholder && !p.description)
			.map(({ where, p }) => `${where}: ${p.name}`);
		expect(bare).toEqual([]);
	});

	test('parameters that share a name across operations have the same type (n8n keeps one value per name)', () => {
		const types = new Map<string, Set<string>>();
		for (const { where, p } of properties.filter(({ where }) => where === 'Smart-ID')) {
			void where;
			if (!types.has(p.name)) types.set(p.name, new Set());
			types.get(p.name)!.add(p.type);
		}
		const mixed = [...types].filter(([, t]) => t.size > 1).map(([name, t]) => `${name}: ${[...t].join('/')}`);
		expect(mixed).toEqual([]);
	});
});
