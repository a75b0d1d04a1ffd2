// Sigmaplay embeds (docs/embedding.md): <script src="https://SIGMAPLAY-SITE/embed.js" defer></script>
// turns each <pre class="sigma-rule"> (and a <pre class="sigma-events"> after it) into a live Sigmaplay
// iframe, and fits every Sigmaplay iframe to the height it reports. Options on the <pre>, or on this
// <script> for the page: data-target, data-readonly, data-height.
(() => {
  const me = document.currentScript;
  if (!me || window.sigmaplayEmbed) return;
  window.sigmaplayEmbed = true;
  // The site is wherever this script is served from, so docs pages may live elsewhere.
  const site = new URL('index.html', me.src);
  const option = (pre, key, fallback) => pre.dataset[key] ?? me.dataset[key] ?? fallback;

  // The app's share format (web/src/share.rs): JSON, raw DEFLATE, base64url without padding.
  const payload = async (state) => {
    const deflated = new Blob([JSON.stringify(state)]).stream().pipeThrough(new CompressionStream('deflate-raw'));
    let binary = '';
    for (const byte of new Uint8Array(await new Response(deflated).arrayBuffer())) binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  };

  const embed = async (pre) => {
    const next = pre.nextElementSibling;
    const events = next && next.matches('pre.sigma-events') ? next : null;
    // Text content only: what the page shows is data, never markup.
    const state = { r: pre.textContent, e: events ? events.textContent : '', t: option(pre, 'target', ''), p: '' };
    const readonly = /^(|1|true|readonly)$/.test(option(pre, 'readonly', 'false'));
    const frame = document.createElement('iframe');
    frame.src = `${site.href}#embed${readonly ? '&ro' : ''}&s=${await payload(state)}`;
    frame.title = 'Sigma rule in Sigmaplay';
    frame.loading = 'lazy';
    frame.allow = 'clipboard-write'; // the embed's Copy buttons
    frame.dataset.sigmaplay = '';
    frame.style.cssText = `display:block;width:100%;border:0;height:${parseInt(option(pre, 'height', ''), 10) || 480}px`;
    pre.replaceWith(frame);
    if (events) events.remove();
  };

  // Heights come only from our own iframes: the message's window must be one of them.
  addEventListener('message', (e) => {
    if (e.origin !== site.origin || !e.data || e.data.type !== 'sigmaplay:height') return;
    const height = Math.min(Number(e.data.height), 20000);
    if (!(height > 0)) return;
    for (const frame of document.querySelectorAll('iframe[data-sigmaplay]')) {
      if (frame.contentWindow === e.source) frame.style.height = `${Math.ceil(height)}px`;
    }
  });

  const start = () => document.querySelectorAll('pre.sigma-rule').forEach((pre) => embed(pre).catch(() => {}));
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
