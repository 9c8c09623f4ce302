import type { INodeProperties } from 'n8n-workflow';

/**
 * The canvas subtitle: the display name of the chosen operation ("Build ASiC-E"), not n8n's default
 * "buildAsice: container". Built from the Operation parameters themselves, so a new operation gets its subtitle
 * without an edit here; an unknown value (an expression, a future operation) falls back to the raw value.
 */
export function operationSubtitle(properties: INodeProperties[]): string {
	const names: Record<string, string> = {};
	for (const p of properties) {
		if (p.name !== 'operation' || p.type !== 'options') continue;
		for (const option of p.options ?? []) {
			if ('value' in option && typeof option.value === 'string') names[option.value] = option.name;
		}
	}
	// JSON of plain strings has no "}}" that could end the expression early.
	return `={{ (${JSON.stringify(names)})[$parameter["operation"]] ?? $parameter["operation"] }}`;
}
