// Dashboard panels that arrive after the page's first paint (the overview's prioritised list, which
// takes seconds on a big fleet): each element with data-fragment="/path" is replaced by what that
// path answers with the x-runsight-fragment header (the page's main content only, rendered and
// escaped by the server, same session and scope). Without JavaScript the element's link opens the
// panel as a page of its own.

document.addEventListener('DOMContentLoaded', () => {
  for (const el of document.querySelectorAll('[data-fragment]')) {
    const url = el.getAttribute('data-fragment');
    // Same origin only: a path, never a protocol-relative //host address.
    if (!url?.startsWith('/') || url.startsWith('//')) continue;
    fetch(url, { headers: { 'x-runsight-fragment': '1' }, credentials: 'same-origin' })
      .then((r) => (r.ok ? r.text() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then((text) => {
        el.outerHTML = text;
      })
      .catch((err) => {
        const note = el.querySelector('[data-loading]');
        if (note)
          note.textContent = `The list could not be loaded here (${err.message}); open it on its own page below.`;
      });
  }
});
