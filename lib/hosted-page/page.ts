import type { PageDownload } from './download';
import { wordsFor, type PageState } from './words';

/** A file being signed, as the page lists it (never its content). */
export interface PageFile {
	name: string;
	size: number;
	/** First hex characters of its digest, so the person can compare with what they were sent. */
	hashPrefix: string;
}

/** A bare hash being signed (Sign Hash), as the page states it. */
export interface PageDigest {
	algorithm: string;
	/** First hex characters of the digest. */
	hexPrefix: string;
}

/** Everything the page shows. All text is escaped here; nothing in it is trusted markup. */
export interface PageView {
	state: PageState;
	/** Relying party name from the credential (what the Smart-ID app shows as the requester). */
	relyingPartyName: string;
	/** The text shown in the Smart-ID app. */
	displayText: string;
	/** What the person approves: "log in" or "sign". */
	action: 'authenticate' | 'sign';
	files?: PageFile[];
	/** Sign Hash: the algorithm and a prefix of the digest. */
	digest?: PageDigest;
	/** The page has a place for the signed file's download link (node option "Offer Download on Page"). */
	offerDownload?: boolean;
	/** The signed file, on a page rendered in its final state (a Web2App return). */
	download?: PageDownload;
	/** Query string that addresses this page (`?signature=…`), the base of its own sub-resources. */
	base: string;
	/** Per-response CSP nonce of the inline style and script. */
	nonce: string;
	/** A QR code can be shown (desktop). */
	qr: boolean;
	/** A Web2App link can be opened (phone); needs n8n on https. */
	web2app: boolean;
	/** Offer "Send to my phone" (country + personal code, then the verification code to compare). */
	notify?: boolean;
	/** Seconds after which a shown QR code is replaced by a "New code" button (SK's UX guidance: about 60); 0: never. */
	newCodeAfterSeconds: number;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML-escape text for element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function fileRows(files: PageFile[]): string {
	const rows = files
		.map((f) => `<li><span class="name">${escapeHtml(f.name)}</span> <span class="meta">${f.size.toLocaleString('en')} bytes · SHA-256 ${escapeHtml(f.hashPrefix)}…</span></li>`)
		.join('');
	return `<h2>Files</h2><ul class="files">${rows}</ul>`;
}

function digestRow(digest: PageDigest): string {
	return `<h2>Hash</h2><p class="files">${escapeHtml(digest.algorithm)} <span class="meta">${escapeHtml(digest.hexPrefix)}…</span></p>`;
}

// The QR image is shown at its own size (whole pixels per module, quiet zone white) so every module stays sharp.
const STYLE = `
*{box-sizing:border-box}body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1d2330}
main{max-width:34rem;margin:0 auto;padding:1.5rem 1rem}.card{background:#fff;border-radius:12px;padding:1.5rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.4rem;margin:0 0 .5rem}h2{font-size:1rem;margin:1.25rem 0 .4rem}p{margin:.4rem 0}
.req{background:#eef3fb;border-radius:8px;padding:.75rem 1rem;margin:1rem 0}.req b{display:block;margin-top:0;font-size:.8rem;color:#4a5568;text-transform:uppercase;letter-spacing:.04em}
.req b.gap{margin-top:.5rem}.files{padding-left:1.1rem;margin:.2rem 0}.files .meta{color:#4a5568;font-size:.85rem}
.qrbox{text-align:center;margin:1rem 0}#qr{display:block;margin:0 auto;max-width:100%;image-rendering:pixelated;background:#fff}
.btn{display:inline-block;padding:.75rem 1.25rem;border-radius:8px;background:#1f5fd1;color:#fff;text-decoration:none;border:0;font:inherit;cursor:pointer}
.btn.secondary{background:#e2e8f0;color:#1d2330}.actions{text-align:center;margin:1rem 0}.hint{color:#4a5568;font-size:.9rem;text-align:center}
.vc{font-size:2rem;font-weight:700;letter-spacing:.2em}select,input{font:inherit;padding:.6rem;border:1px solid #cbd2dc;border-radius:8px}.hidden{display:none}.state-success h1{color:#137333}.state-refused h1,.state-timeout h1,.state-error h1{color:#b3261e}
@media (pointer:coarse){.desktop-only{display:none}}`;

/**
 * The script: one request a second (never two at once) fetches the state and, while a code is shown, a fresh QR
 * image as a data URI, made on the server (the link inside is made there; the page never sees sessionSecret). One
 * hit per second per page halves n8n's work against separate image requests, since n8n loads the whole waiting
 * execution for every hit. A QR whose request was sent more than 3 s ago is hidden (its link can be no younger);
 * a new code is offered
 * after the limit, and show the final words. It talks only to its own URL (relative `?signature=…&hp=…`).
 */
const SCRIPT = `(function(){
var d=document,cfg=JSON.parse(d.getElementById('cfg').textContent),qr=d.getElementById('qr'),shownAt=Date.now(),lastOk=Date.now(),done=false,busy=false;
function show(id,on){var e=d.getElementById(id);if(e)e.classList.toggle('hidden',!on)}
function text(id,t){var e=d.getElementById(id);if(e)e.textContent=t}
function offer(dl){if(!dl||!d.getElementById('dl-box'))return;show('dl-box',true);
 if(dl.tooLarge){show('dl',false);text('dl-note','The signed file '+dl.fileName+' is too large to hand out here; it went back to the workflow.');return}
 var b=atob(dl.base64),u=new Uint8Array(b.length);for(var i=0;i<b.length;i++)u[i]=b.charCodeAt(i);
 var a=d.getElementById('dl');a.href=URL.createObjectURL(new Blob([u],{type:dl.mimeType}));a.download=dl.fileName;a.textContent='Download '+dl.fileName}
function finish(s){done=true;d.body.className='state-'+s.state;text('title',s.title);text('text',s.text);show('live',false);offer(s.download)}
function tick(){if(done)return;
 if(qr){if(cfg.newCodeAfter&&Date.now()-shownAt>cfg.newCodeAfter*1000&&!qr.classList.contains('hidden')){show('qr',false);show('newcode-box',true)}
  qr.style.visibility=Date.now()-lastOk>3000?'hidden':'visible'}
 if(busy)return;busy=true;var asked=Date.now(),wantQr=qr&&!qr.classList.contains('hidden');
 fetch(cfg.base+'&hp=status'+(wantQr?'&qr=1':''),{cache:'no-store'}).then(function(r){if(r.status===409||r.status===404||r.status===410)return{state:'gone',title:cfg.gone[0],text:cfg.gone[1]};return r.json()})
  .then(function(s){busy=false;if(!s||!s.state)return;if(s.state!=='waiting'){finish(s);return}
   if(s.qr&&qr){qr.src=s.qr;lastOk=asked}},function(){busy=false})}
var nf=d.getElementById('notify');if(nf)nf.addEventListener('submit',function(e){e.preventDefault();var b=nf.querySelector('button');b.disabled=true;
 fetch(cfg.base+'&hp=notify',{method:'POST',cache:'no-store',body:new URLSearchParams(new FormData(nf))}).then(function(r){return r.json()}).then(function(s){b.disabled=false;
  if(s.verificationCode){show('qr',false);show('newcode-box',false);text('vc',s.verificationCode);show('vc-box',true);if(qr)qr.classList.add('hidden')}else if(s.error){text('notify-error',s.error)}},function(){b.disabled=false})});
var nb=d.getElementById('newcode');if(nb)nb.addEventListener('click',function(){nb.disabled=true;fetch(cfg.base+'&hp=new',{method:'POST',cache:'no-store'}).then(function(r){return r.json()}).then(function(s){nb.disabled=false;
 if(s.state!=='waiting'){finish(s);return}shownAt=Date.now();show('newcode-box',false);show('qr',true)},function(){nb.disabled=false})});
if(cfg.download)offer(cfg.download);if(!cfg.live)return;
setInterval(tick,1000);tick();})();`;

/** The whole page as one HTML string: inline style and script under the response's nonce, no outside assets. */
export function renderPage(view: PageView): string {
	const words = wordsFor(view.state);
	const live = view.state === 'waiting';
	const base = escapeHtml(view.base);
	const cfg = JSON.stringify({ base: view.base, live, newCodeAfter: view.newCodeAfterSeconds, gone: [wordsFor('gone').title, wordsFor('gone').text], ...(view.download ? { download: view.download } : {}) }).replace(/</g, '\\u003c');
	const what = view.action === 'sign' ? 'asks you to sign with Smart-ID' : 'asks you to log in with Smart-ID';
	return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(words.title)} · Smart-ID</title>
<style nonce="${view.nonce}">${STYLE}</style>
${live ? '<noscript><meta http-equiv="refresh" content="2"></noscript>' : ''}
</head><body class="state-${view.state}"><main><div class="card">
<h1 id="title">${escapeHtml(words.title)}</h1><p id="text">${escapeHtml(words.text)}</p>
<div class="req"><b>Request</b>${escapeHtml(view.relyingPartyName)} ${what}.<b class="gap">Shown in the app</b>${escapeHtml(view.displayText)}</div>
${view.files?.length ? fileRows(view.files) : ''}${view.digest ? digestRow(view.digest) : ''}
<div id="live" class="${live ? '' : 'hidden'}">
${view.qr ? `<div class="qrbox desktop-only"><img id="qr" alt="Smart-ID QR code: scan it with the Smart-ID app" src="${base}&amp;hp=qr"></div>
<div id="newcode-box" class="actions hidden"><p>The code has expired.</p><button id="newcode" class="btn" type="button">New code</button></div>` : ''}
${view.web2app ? `<div class="actions"><a class="btn${view.qr ? ' secondary' : ''}" href="${base}&amp;hp=open">Open Smart-ID on this device</a></div>` : ''}
${view.notify ? `<form id="notify" class="actions"><p>Or send it to your phone:</p><select name="country" aria-label="Country"><option value="EE">Estonia</option><option value="LV">Latvia</option><option value="LT">Lithuania</option><option value="BE">Belgium</option></select> <input name="personalCode" inputmode="numeric" autocomplete="off" placeholder="Personal code" aria-label="Personal code" required> <button class="btn secondary" type="submit">Send to my phone</button><p id="notify-error" class="hint"></p></form>
<div id="vc-box" class="actions hidden"><p>Check that your phone shows this code, then confirm there:</p><p class="vc" id="vc"></p></div>` : ''}
<p class="hint">Check that the text in the app matches the request above before you confirm.</p>
</div>
${view.offerDownload ? '<div id="dl-box" class="actions hidden"><a id="dl" class="btn" href="#">Download the signed file</a><p id="dl-note" class="hint"></p></div>' : ''}
</div></main>
<script id="cfg" type="application/json">${cfg}</script>
${live || view.download ? `<script nonce="${view.nonce}">${SCRIPT}</script>` : ''}
</body></html>`;
}
