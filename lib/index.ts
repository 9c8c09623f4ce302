/**
 * Public surface of the n8n-nodes-smart-id engine. Plain TypeScript: nothing here imports n8n,
 * so the CLI, the tests and the n8n nodes all use the same code.
 */
export const ENGINE_NAME = 'n8n-nodes-smart-id';
