/*
 * Sign-in for staff and volunteers: POST /api/v1/auth/login, which sets
 * the sid cookie the other pages use. Then on to ?next= when it points
 * into this site, else to the home of the user's role. The phone learns
 * who is signed in now (api.js signedIn()), so that what another user
 * left in the outbox is neither sent in this one's name nor shown. When
 * a page sent the person here because the session ended (signInAgain()),
 * the page says that what was typed is kept.
 */
import {
	api, busy, checkForm, dropResume, pendingResume, say, showProblem, signedIn,
} from '/assets/api.js';

const form = document.getElementById('login-form');
const button = form.querySelector('button[type="submit"]');
const password = document.getElementById('login-password');

/* Only a path on this site; never another origin (open redirect). */
function safeNext(raw) {
	if (!raw)
		return null;
	try {
		const u = new URL(raw, location.origin);
		if (u.origin !== location.origin ||
		    u.pathname.startsWith('/api/') || u.pathname.startsWith('/login/'))
			return null;
		return u.pathname + u.search + u.hash;
	} catch (e) {
		return null;
	}
}

function homeOf(role) {
	return role === 'volunteer' ? '/field/' : '/admin/';
}

function formMessage(text) {
	showProblem(form, { detail: text, errors: [] });
}

/* Sent here by a page whose session ended while something was typed. */
const resume = pendingResume();
if (resume && resume.path === safeNext(new URLSearchParams(location.search).get('next'))) {
	say(document.getElementById('page-msg'), '登录已过期，请重新登录。刚才填写的内容保存在这部手机上，' +
	    '登录后回到原来的页面，内容都还在。', 'warn');
}

document.getElementById('login-show').addEventListener('change', (e) => {
	password.type = e.target.checked ? 'text' : 'password';
});

form.addEventListener('submit', async (e) => {
	e.preventDefault();
	if (!checkForm(form))
		return;
	const body = {
		username: form.elements.username.value.trim(),
		password: password.value,
	};
	const done = busy(button);
	try {
		const r = await api('POST', '/api/v1/auth/login', body);
		signedIn(r && r.user);
		const next = safeNext(new URLSearchParams(location.search).get('next'));
		const left = pendingResume();
		if (left && left.path !== next)
			dropResume();
		location.assign(next || homeOf(r && r.user && r.user.role));
		return;
	} catch (err) {
		if (err.status === 401) {
			formMessage('用户名或密码错误');
			password.value = '';
		} else if (err.status === 429 && err.code === 'locked') {
			const min = err.retryAfter ? Math.max(1, Math.ceil(err.retryAfter / 60)) : null;
			formMessage(min ?
			    `登录失败次数过多，该账号已暂时锁定，请 ${min} 分钟后再试` :
			    '登录失败次数过多，该账号已暂时锁定，请稍后再试');
		} else if (err.status === 429) {
			formMessage('操作太频繁，请稍后再试');
		} else if (err.network) {
			formMessage('网络不可用，请联网后再登录');
		} else {
			showProblem(form, err);
		}
	}
	done();
});
