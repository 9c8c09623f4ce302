import type { Readable } from 'node:stream';

import { mock, type MockProxy } from 'jest-mock-extended';
import type {
	IBinaryData,
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	IPollFunctions,
} from 'n8n-workflow';

/** Binary data as n8n's default in-memory mode stores it (Base64 in `data`). */
export function binary(data: Buffer, fileName: string, mimeType = 'application/octet-stream'): IBinaryData {
	return { data: data.toString('base64'), fileName, mimeType, fileSize: String(data.length) };
}

/** Fake binary helpers backed by the items, like n8n's in-memory binary mode. */
function binaryHelpers(items: () => INodeExecutionData[]) {
	return {
		// n8n takes a Buffer or a stream (a signed PDF comes as a stream of its file).
		prepareBinaryData: jest.fn(async (data: Buffer | Readable, fileName?: string, mimeType?: string) =>
			binary(Buffer.isBuffer(data) ? Buffer.from(data) : Buffer.concat(await data.toArray()), fileName ?? 'file', mimeType ?? 'application/octet-stream'),
		),
		assertBinaryData: jest.fn((i: number, name: string) => {
			const found = items()[i]?.binary?.[name];
			if (!found) throw new Error(`No binary field "${name}" on item ${i}`);
			return found;
		}),
		getBinaryDataBuffer: jest.fn(async (i: number, name: string) => {
			const found = items()[i]?.binary?.[name];
			if (!found) throw new Error(`No binary field "${name}" on item ${i}`);
			return Buffer.from(found.data, 'base64');
		}),
	};
}

/** A mocked IExecuteFunctions: parameters by name (optionally per item), real-looking binary helpers. */
export function executeContext(options: {
	params: Record<string, unknown> | ((i: number) => Record<string, unknown>);
	credentials: ICredentialDataDecryptedObject;
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
}): MockProxy<IExecuteFunctions> {
	const items = options.items ?? [{ json: {} }];
	const ctx = mock<IExecuteFunctions>();
	ctx.getInputData.mockReturnValue(items);
	ctx.getNode.mockReturnValue(mock<INode>({ name: 'Smart-ID', type: 'n8n-nodes-smart-id.smartId', typeVersion: 1 }));
	ctx.continueOnFail.mockReturnValue(options.continueOnFail ?? false);
	ctx.getCredentials.mockResolvedValue(options.credentials as never);
	ctx.getExecutionCancelSignal.mockReturnValue(undefined);
	(ctx.getNodeParameter as jest.Mock).mockImplementation((name: string, i: number, fallback?: unknown) => {
		const params = typeof options.params === 'function' ? options.params(i) : options.params;
		return name in params ? params[name] : fallback;
	});
	ctx.helpers = binaryHelpers(() => items) as unknown as IExecuteFunctions['helpers'];
	return ctx;
}

/** A mocked IPollFunctions for the trigger. */
export function pollContext(options: {
	params?: Record<string, unknown>;
	credentials: ICredentialDataDecryptedObject;
	mode?: 'trigger' | 'manual';
}): MockProxy<IPollFunctions> {
	const ctx = mock<IPollFunctions>();
	ctx.getNode.mockReturnValue(mock<INode>({ name: 'Smart-ID Trigger', typeVersion: 1 }));
	ctx.getMode.mockReturnValue(options.mode ?? 'trigger');
	ctx.getCredentials.mockResolvedValue(options.credentials as never);
	(ctx.getNodeParameter as jest.Mock).mockImplementation((name: string, fallback?: unknown) => {
		const params = options.params ?? {};
		return name in params ? params[name] : fallback;
	});
	ctx.helpers = binaryHelpers(() => []) as unknown as IPollFunctions['helpers'];
	ctx.logger = { warn: jest.fn(), info: jest.fn(), debug: jest.fn(), error: jest.fn(), verbose: jest.fn() } as never;
	return ctx;
}

/** Fail when a sessionSecret field or any of the given secret values shows up anywhere in node output. */
export function expectNoSecrets(value: unknown, secrets: string[] = []): void {
	const text = JSON.stringify(value);
	expect(text).not.toMatch(/sessionSecret/i);
	for (const secret of secrets) expect(text).not.toContain(secret);
}
