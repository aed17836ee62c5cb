// Utmost's browser tracker, installed by one tag:
//   <script defer src="https://HOST/js/utmost.js" data-site="SITE_KEY"></script>
// Options (attributes of the tag): data-api (where events go; the script's own server by default), data-hash (hash
// routing: a change of #... is a page view), data-cookieless (store nothing on the device), data-outbound (clicks on
// links to other sites), data-forms (form submissions), data-respect-dnt (send nothing under Do Not Track or Global
// Privacy Control), data-consent="required" (send nothing until utmost.consent(true)).
// The server strips these comment lines and the indentation before serving it.
(function (w, d, n) {
  var tag = d.currentScript;
  if (!tag || (w.utmost && w.utmost.loaded)) return;
  var opt = function (name) { return tag.getAttribute('data-' + name); };
  var has = function (name) { return opt(name) !== null; };
  var site = opt('site');
  var api = opt('api') || new URL(tag.src).origin + '/marketing/event';
  var cookieless = has('cookieless');
  var queued = (w.utmost && w.utmost.q) || [];
  // null: waiting for utmost.consent(true); false: refused, nothing is kept.
  var consent = opt('consent') === 'required' ? null : true;
  var waiting = [];
  // localStorage and sessionStorage may be missing or throw (private modes, blocked storage): then memory only.
  var memory = {};
  var store = function (kind, key, value) {
    try {
      var s = cookieless ? null : w[kind + 'Storage'];
      if (value === undefined) return s ? s.getItem(key) : memory[key];
      if (s) value === null ? s.removeItem(key) : s.setItem(key, value);
      else memory[key] = value;
    } catch (e) { memory[key] = value; }
    return value;
  };
  var random = function () {
    return w.crypto && crypto.randomUUID ? crypto.randomUUID() : Date.now().toString(36) + Math.random().toString(36).slice(2);
  };
  var visitor = cookieless ? null : store('local', 'utmost_vid') || store('local', 'utmost_vid', random());
  var user = store('local', 'utmost_uid');
  // UTM tags and click ids of the landing URL, kept for the session (the tab) and sent with each of its events.
  var campaign = JSON.parse(store('session', 'utmost_utm') || 'null');
  var params = new URLSearchParams(location.search);
  var found = {};
  var any = false;
  'utm_source utm_medium utm_campaign utm_term utm_content gclid gbraid wbraid msclkid fbclid ttclid li_fat_id twclid dclid yclid'
    .split(' ').forEach(function (key) {
      if (params.get(key)) { found[key] = params.get(key); any = true; }
    });
  if (any || !campaign) campaign = found;
  store('session', 'utmost_utm', JSON.stringify(campaign));
  var dnt = has('respect-dnt') && (n.doNotTrack === '1' || w.doNotTrack === '1' || n.globalPrivacyControl === true);
  var lastPage = null;
  var referrer = d.referrer || null;

  var post = function (body) {
    body = JSON.stringify(body);
    if (!(n.sendBeacon && n.sendBeacon(api, body))) {
      fetch(api, { method: 'POST', body: body, keepalive: true, credentials: 'omit', headers: { 'Content-Type': 'text/plain' } })
        .catch(function () {});
    }
  };

  var send = function (type, options) {
    options = options || {};
    if (dnt) return;
    var event = { site: site, event_type: type, page_url: location.href };
    if (referrer) event.referrer_url = referrer;
    if (visitor) event.visitor_id = visitor;
    if (user) event.user_id = user;
    var clicks = {};
    var clicked = false;
    for (var key in campaign) {
      if (key.indexOf('utm_') === 0) event[key] = campaign[key];
      else { clicks[key] = campaign[key]; clicked = true; }
    }
    if (clicked) event.metadata = clicks;
    if (options.props) event.properties = options.props;
    if (options.revenue) event.revenue = options.revenue;
    if (options.order_id) event.order_id = String(options.order_id);
    if (options.user_id) event.user_id = String(options.user_id);
    if (consent) post(event);
    else if (consent === null) waiting.push(event);
  };

  var page = function () {
    var url = location.pathname + location.search + (has('hash') ? location.hash : '');
    if (url === lastPage) return;
    if (lastPage !== null) referrer = location.origin + lastPage;
    lastPage = url;
    send('page_view');
  };

  var utmost = function (type, options) {
    if (type === 'identify') return utmost.identify(options, arguments[2]);
    if (type === 'consent') return utmost.consent(options);
    send(type, options);
  };
  utmost.identify = function (id, traits) {
    user = store('local', 'utmost_uid', String(id));
    send('identify', { props: traits });
  };
  utmost.consent = function (given) {
    consent = !!given;
    if (consent) waiting.splice(0).forEach(post);
    waiting = [];
    // Refused: what this script stored goes (a later consent stores it again).
    store('local', 'utmost_vid', consent ? visitor : null);
    store('local', 'utmost_uid', consent ? user : null);
    store('session', 'utmost_utm', consent ? JSON.stringify(campaign) : null);
  };
  utmost.loaded = true;
  w.utmost = utmost;

  // Single-page apps: pushState and the back button change the page without a load.
  var push = history.pushState;
  history.pushState = function () { push.apply(this, arguments); page(); };
  w.addEventListener('popstate', page);
  if (has('hash')) w.addEventListener('hashchange', page);

  if (has('outbound')) {
    d.addEventListener('click', function (e) {
      var link = e.target.closest && e.target.closest('a[href]');
      if (link && link.host && link.host !== location.host) send('outbound_click', { props: { url: link.href } });
    }, true);
  }
  if (has('forms')) {
    d.addEventListener('submit', function (e) {
      var form = e.target;
      send('form_submit', { props: { form: form.id || form.getAttribute('name') || form.getAttribute('action') || '' } });
    }, true);
  }

  page();
  queued.forEach(function (call) { utmost.apply(null, call); });
})(window, document, navigator);
