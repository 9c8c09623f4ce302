import type { INodeProperties } from 'n8n-workflow';

/** Fields of completion "Hosted Page" (shown next to the Completion field of the operations that offer it). */
export function hostedPageFields(show: Record<string, string[]>): INodeProperties[] {
	const showPage = { show: { ...show, completion: ['hostedPage'] } };
	return [
		{
			displayName:
				'Send the person to <code>{{ $execution.resumeUrl }}</code> before this node runs (e.g. in an email or chat message, or a Respond to Webhook node): the page there shows the QR code and the Open Smart-ID button, and this execution resumes when they finish.',
			name: 'hostedPageNotice',
			type: 'notice',
			default: '',
			displayOptions: showPage,
		},
		{
			displayName: 'Page Open For (Minutes)',
			name: 'pageMinutes',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 60 },
			default: 15,
			description:
				'How long the page works; after that the link is dead and the execution continues with its input unchanged (nobody finished)',
			displayOptions: showPage,
		},
		{
			displayName: 'Offer "Send to My Phone"',
			name: 'offerSendToPhone',
			type: 'boolean',
			default: false,
			description:
				'Whether a login page also lets the person type their country and personal code to get a notification instead of scanning (at most one per page every 30 s)',
			displayOptions: { show: { ...show, completion: ['hostedPage'], resource: ['authentication'] } },
		},
		{
			displayName: 'Offer Download on Page',
			name: 'offerDownload',
			type: 'boolean',
			default: false,
			description:
				'Whether the finished page also lets the person download the signed container or PDF (up to 20 MiB; a larger file only goes back to the workflow)',
			displayOptions: { show: { ...show, completion: ['hostedPage'], resource: ['container', 'pdf'] } },
		},
	];
}
