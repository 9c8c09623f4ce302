/**
 * What the package does, in one line. Both nodes carry it: n8n's node creator merges the Smart-ID node with the
 * Smart-ID Trigger into one entry and shows the TRIGGER's description there (n8n 2.40.7, editor-ui
 * generateMergedNodesAndActions: `mergedNode.description = trigger.description`), so the trigger must describe the
 * whole app, not only itself.
 */
export const SMART_ID_DESCRIPTION = 'Authenticate and sign with Smart-ID; build and verify ASiC-E containers';
