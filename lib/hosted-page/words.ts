/**
 * What the person reads on the hosted page for each state of the session: plain words, no codes. The engine's
 * error messages are written for the workflow builder; these are for the person in front of the page.
 */

/** States the page shows. `waiting`: a code or link is on screen; the rest are final. */
export type PageState = 'waiting' | 'success' | 'refused' | 'timeout' | 'error' | 'gone';

/** Heading and one sentence for a state. */
export interface PageWords {
	title: string;
	text: string;
}

const WORDS: Record<PageState, PageWords> = {
	waiting: { title: 'Confirm with Smart-ID', text: 'Scan the code with the Smart-ID app, or open the app on this phone.' },
	success: { title: 'Done', text: 'Smart-ID confirmed it. You can close this page.' },
	refused: { title: 'Not confirmed', text: 'The request was declined in the Smart-ID app. Nothing was approved.' },
	timeout: { title: 'Time ran out', text: 'No answer came from the Smart-ID app in time. Nothing was approved.' },
	error: { title: 'Something went wrong', text: 'The answer could not be accepted, so nothing was approved. Ask the sender for a new link.' },
	gone: { title: 'This page is closed', text: 'This request has already finished or expired. Ask the sender for a new link if you still need one.' },
};

/** The words for a state. */
export function wordsFor(state: PageState): PageWords {
	return WORDS[state];
}

/** Final page state for an engine error code: refusals, time-outs, anything else. */
export function stateForErrorCode(code: string): Exclude<PageState, 'waiting' | 'success' | 'gone'> {
	if (code.startsWith('SMARTID_USER_REFUSED') || code === 'SMARTID_WRONG_VC') return 'refused';
	if (code === 'SMARTID_TIMEOUT' || code === 'SMARTID_SESSION_EXPIRED') return 'timeout';
	return 'error';
}
