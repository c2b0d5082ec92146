// Rapport form loader: put <script src="…/embed/form.js" data-rapport-form="FORM_ID" async></script>
// where the form should appear. It adds the form's page in a frame that fits its height.
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script) return;
  var id = script.getAttribute('data-rapport-form');
  if (!id) return;
  var base = script.src.replace(/\/embed\/form\.js(\?.*)?$/, '');
  var origin = new URL(script.src).origin;
  var frame = document.createElement('iframe');
  frame.src = base + '/f/' + encodeURIComponent(id) + '?embed=1';
  frame.title = script.getAttribute('data-title') || 'Contact form';
  frame.style.cssText = 'display:block;width:100%;max-width:560px;height:560px;border:0;overflow:hidden';
  script.parentNode.insertBefore(frame, script.nextSibling);
  window.addEventListener('message', function (e) {
    if (e.origin !== origin || e.source !== frame.contentWindow || !e.data || e.data.rapportForm !== id) return;
    if (typeof e.data.height === 'number' && e.data.height > 0) frame.style.height = Math.ceil(e.data.height) + 'px';
    if (typeof e.data.redirect === 'string' && /^https?:\/\//.test(e.data.redirect)) window.location.href = e.data.redirect;
  });
})();
