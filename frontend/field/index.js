/*
 * 志愿者 home: the three doors, and who is signed in on this phone with
 * 退出, so that a volunteer handing the phone to the next one signs out
 * here (api.js showSignedIn(), signOut()). Nobody signed in: a 登录 link.
 * Offline, the name kept from the last visit is shown.
 */
import { cachedGet, showSignedIn } from '/assets/api.js';

async function main() {
	try {
		showSignedIn((await cachedGet('/api/v1/me')).data);
	} catch (err) {
		if (err.status === 401)
			document.getElementById('login-link').hidden = false;
	}
}

main();
