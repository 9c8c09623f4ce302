import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';

import {
	isSampleKind,
	kindOfPending,
	pollSessions,
	redactRedisSecrets,
	sampleOutcome,
	SessionRuntime,
	triggerPassTiming,
	type SessionOutcome,
} from '../../lib/sessions';
import { configFromCredential } from '../shared/config';
import { toNodeError } from '../shared/errors';
import { credentialTestMethods } from '../shared/credential-test';
import { SMART_ID_DESCRIPTION } from '../shared/description';

/** n8n's time budget of this poll tick, ms, when the engine gives one. */
function engineBudgetMs(ctx: IPollFunctions): number | undefined {
	try {
		return typeof ctx.getPollBudgetMs === 'function' ? Number(ctx.getPollBudgetMs()) : undefined;
	} catch {
		return undefined; // an engine without a budget: the default applies
	}
}

/** One output item: the JSON, and the files as n8n binaries. */
async function toItem(ctx: IPollFunctions, outcome: SessionOutcome): Promise<INodeExecutionData> {
	const item: INodeExecutionData = { json: outcome.json as IDataObject };
	for (const file of outcome.files ?? []) {
		item.binary ??= {};
		item.binary[file.propertyName] = await ctx.helpers.prepareBinaryData(file.data, file.fileName, file.mimeType);
	}
	return item;
}

/**
 * Emits the results of Smart-ID sessions started with "Start and continue" or a device link (a certificate choice
 * made by device link is first continued with its linked signature, then emitted with the container). Delivery is at-least-once: a session
 * is removed from the store only after its item was built, so a crash in between re-emits it (never loses it);
 * deduplicate by `sessionId` downstream if that matters.
 */
export class SmartIdTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Smart-ID Trigger',
		name: 'smartIdTrigger',
		icon: { light: 'file:../../icons/smartId.svg', dark: 'file:../../icons/smartId.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["tag"] ? "Trigger Tag: " + $parameter["tag"] : "All pending sessions"}}',
		description: SMART_ID_DESCRIPTION,
		defaults: { name: 'Smart-ID Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'smartIdApi', required: true, testedBy: 'smartIdApiTest' }],
		properties: [
			{
				displayName:
					'Emits one item per finished session of this credential: the validated identity, signature or signed container, or an error result (refused, timeout, failed validation, expired). Delivery is at-least-once; use sessionId to deduplicate.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Trigger Tag',
				name: 'tag',
				type: 'string',
				default: '',
				placeholder: 'e.g. contracts',
				description: 'Only sessions started with this Trigger Tag; empty means all sessions of the credential',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Parallel Status Requests',
						name: 'concurrency',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 64 },
						default: 16,
						description: 'How many sessions are checked at the same time',
					},
					{
						displayName: 'Test Event Kind',
						name: 'testEventKind',
						type: 'options',
						options: [
							{ name: 'Authentication', value: 'authentication' },
							{ name: 'Certificate Choice', value: 'certificateChoice' },
							{
								name: 'Like the Waiting Sessions',
								value: 'auto',
								description: 'The kind of the newest session waiting with this tag; Authentication when none waits',
							},
							{ name: 'Signature (Sign Hash)', value: 'signature' },
							{ name: 'Signed Container (ASiC-E)', value: 'asiceSignature' },
						],
						default: 'auto',
						description: 'What "Fetch Test Event" shows: a sample result (marked sample: true) to map the next nodes against',
					},
				],
			},
		],
	};

	methods = credentialTestMethods;

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const tag = (this.getNodeParameter('tag', '') as string).trim();
		const options = this.getNodeParameter('options', {}) as { concurrency?: number; testEventKind?: string };
		const concurrency = Math.max(1, Math.min(64, Number(options.concurrency ?? 16) || 16));
		let runtime: SessionRuntime;
		try {
			runtime = new SessionRuntime(configFromCredential(await this.getCredentials('smartIdApi')), concurrency);
		} catch (error) {
			throw new NodeOperationError(this.getNode(), error as Error, {
				description: 'The Smart-ID credential is incomplete or invalid: open it, fix the field the message names, and save.',
			});
		}
		try {
			if (this.getMode() === 'manual') {
				// "Fetch test event": a sample of the kind this tag's sessions produce, and how many wait; consume nothing.
				const pending = await runtime.store.list({ credentialKey: runtime.config.credentialKey, tag: tag || undefined });
				const chosen = options.testEventKind;
				const kind = isSampleKind(chosen) ? chosen : (kindOfPending(pending) ?? 'authentication');
				const sample = sampleOutcome(kind, tag || undefined);
				return [[await toItem(this, { ...sample, json: { ...sample.json, pendingSessions: pending.length } })]];
			}
			const result = await pollSessions(runtime, { tag, concurrency, ...triggerPassTiming(engineBudgetMs(this)) });
			if (result.notReached > 0) {
				this.logger.info(`Smart-ID Trigger: ${result.notReached} pending sessions not checked in this poll's time budget; the next poll checks them first`);
			}
			for (const message of result.deferred) this.logger.warn(`Smart-ID Trigger: will retry ${redactRedisSecrets(message)}`);
			const items: INodeExecutionData[] = [];
			for (const { outcome } of result.finished) items.push(await toItem(this, outcome));
			// Remove only now that every item exists, each only while its lease is still held; a lost lease means
			// another process may emit it too (rare).
			const removed = await runtime.store.removeMany(result.finished.map((f) => f.lease));
			removed.forEach((ok, i) => {
				if (!ok) this.logger.warn(`Smart-ID Trigger: lease on ${result.finished[i].record.sessionId} was lost; it may be emitted twice`);
			});
			return items.length ? [items] : null;
		} catch (error) {
			// Usually the session store (folder or Redis) is unreachable; nothing was removed, so nothing is lost.
			throw toNodeError(this.getNode(), error, 0);
		} finally {
			await runtime.close();
		}
	}
}
