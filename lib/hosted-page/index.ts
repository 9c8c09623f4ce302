/**
 * The hosted signing page (completion mode "Hosted Page"): the page's HTML, its per-request logic (fresh device
 * links and QR images made server-side, the Web2App callback checks, state in plain words) and its store scope.
 * No n8n import: nodes/shared/hosted-page.ts maps n8n's waiting webhook onto `answerPageRequest`.
 */
export { answerPageRequest, HostedPage, NEW_CODE_AFTER_SECONDS, pageOutcome, type PageInfo, type PageOptions, type PageReply, type PageRequest, type PageResult, type PhoneTarget } from './handler';
export { bufferForDownload, MAX_PAGE_DOWNLOAD_BYTES, pageDownloadOf, type PageDownload } from './download';
export { N8N_HTML_SANDBOX, newNonce, pageHeaders, resourceHeaders } from './headers';
export { escapeHtml, renderPage, type PageDigest, type PageFile, type PageView } from './page';
export { isPageSignature, renewSignatureSession, type PageLinkRequest, type PageSignatureSession } from './renew';
export { hostedPageRuntime, hostedPageScope } from './scope';
export { StatusWatch } from './status-watch';
export { stateForErrorCode, wordsFor, type PageState, type PageWords } from './words';
