/*
 * Service worker: lets the pages open on a phone without a network.
 *
 * Same-origin GETs outside /api/ are served cache-first, and refreshed in
 * the background so the next visit gets the newer copy. Of /api/ only the
 * message dictionary is kept (network first, the copy when offline); every
 * other request goes to the network as if there were no service worker,
 * and offline writes are the outbox's job (api.js).
 * Navigations are cached without their query string, so /login/?next=...
 * opens offline too.
 */

const CACHE = 'swn-pages-v3';

/* The message dictionary: the pages' offline checks speak its words. */
const MESSAGES = '/api/v1/messages';

const PRECACHE = [
	'/',
	'/manifest.webmanifest',
	'/assets/app.css',
	'/assets/api.js',
	'/assets/icon.svg',
	'/login/',
	'/login/login.js',
	'/admin/',
	'/admin/admin.js',
	'/fair/',
	'/help/',
	'/help/index.js',
	'/help/wage.js',
	'/help/track.html',
	'/help/track.js',
	'/admin/cases.html',
	'/admin/cases.js',
	'/admin/list.js',
	'/admin/case.html',
	'/admin/case.js',
	'/admin/stats/',
	'/admin/stats/stats.js',
	'/admin/stats/stats.css',
	'/field/',
	'/field/index.js',
	'/field/visits.html',
	'/field/visits.js',
	'/field/visits.css',
	MESSAGES,
	'/field/returns.html',
	'/field/returns.js',
	'/assets/returns.css',
	'/arrive/',
	'/arrive/index.js',
	'/admin/returns.html',
	'/admin/returns.js',
	'/fair/index.js',
	'/fair/fairs.js',
	'/fair/fair.css',
	'/fair/fair.html',
	'/fair/fair.js',
	'/fair/employer.html',
	'/fair/employer.js',
	'/fair/cancel.html',
	'/fair/cancel.js',
	'/field/checkin.html',
	'/field/checkin.js',
	'/field/checkin.css',
	'/admin/fairs.html',
	'/admin/fairs.js',
	'/admin/fair.html',
	'/admin/fair.js',
	'/admin/campaigns.html',
	'/admin/campaigns.js',
];

const OFFLINE_PAGE = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>没有网络</title><link rel="stylesheet" href="/assets/app.css"></head>
<body><main><div class="card placeholder"><p class="big">当前没有网络</p>
<p>这个页面还没有保存到本机，请联网后再打开。</p>
<p><a class="btn" href="/">返回首页</a></p></div></main></body></html>`;

function cacheable(res) {
	return res && res.ok && res.type === 'basic' && !res.redirected;
}

self.addEventListener('install', (event) => {
	/* One missing file must not keep the worker from installing. */
	event.waitUntil(caches.open(CACHE).then((cache) => Promise.all(
	    PRECACHE.map((url) => fetch(url, { cache: 'no-cache' })
		.then((res) => cacheable(res) ? cache.put(url, res) : null)
		.catch(() => null))))
	    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
	event.waitUntil(caches.keys()
	    .then((keys) => Promise.all(keys
		.filter((k) => k.startsWith('swn-') && k !== CACHE)
		.map((k) => caches.delete(k))))
	    .then(() => self.clients.claim()));
});

async function cacheFirst(event, req, url) {
	const cache = await caches.open(CACHE);
	const key = req.mode === 'navigate' ? url.origin + url.pathname : req;
	const cached = await cache.match(key);
	/* A navigation request cannot be copied with options; other
	 * requests revalidate past the HTTP cache. */
	const live = req.mode === 'navigate' ? fetch(req) :
	    fetch(req, { cache: 'no-cache' });
	const refresh = live.then((res) => {
		if (cacheable(res))
			event.waitUntil(cache.put(key, res.clone()).catch(() => null));
		return res;
	});
	if (cached) {
		event.waitUntil(refresh.catch(() => null));
		return cached;
	}
	try {
		return await refresh;
	} catch (e) {
		if (req.mode === 'navigate') {
			return new Response(OFFLINE_PAGE, { status: 503,
			    headers: { 'Content-Type': 'text/html; charset=utf-8' } });
		}
		throw e;
	}
}

async function networkFirst(event, req) {
	const cache = await caches.open(CACHE);
	try {
		const res = await fetch(req);
		if (cacheable(res))
			event.waitUntil(cache.put(MESSAGES, res.clone()).catch(() => null));
		return res;
	} catch (e) {
		const cached = await cache.match(MESSAGES);
		if (cached)
			return cached;
		throw e;
	}
}

self.addEventListener('fetch', (event) => {
	const req = event.request;
	if (req.method !== 'GET')
		return;
	const url = new URL(req.url);
	if (url.origin === self.location.origin && url.pathname === MESSAGES) {
		event.respondWith(networkFirst(event, req));
		return;
	}
	if (url.origin !== self.location.origin ||
	    url.pathname.startsWith('/api/') || url.pathname === '/sw.js')
		return;
	event.respondWith(cacheFirst(event, req, url));
});
