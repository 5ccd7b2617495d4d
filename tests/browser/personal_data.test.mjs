// Personal data at rest, through the pages (issue "Personal data protected
// at rest"): a worker files a case on /help/ as anyone would, the page
// sends it with an Idempotency-Key, the server's answer holds the tracking
// code — and a dump of the database holds neither that code nor the ID
// number and phones typed, while the page showed the code.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { launch, phone, requireEnv, textOf, units } from './lib.mjs';
import { fillCase, fillWorker, idNumber, openHelp, postCase, tag } from './help_lib.mjs';

let browser;

before(async () => {
	requireEnv();
	browser = await launch();
});
after(async () => {
	await browser?.close();
});

function dump() {
	return execFileSync('bash', ['-c', '. "$SWN_ROOT/scripts/env.sh"; ' +
	    'mariadb-dump --no-defaults --socket="$DB_SOCK" -u "$DB_ADMIN" ' +
	    '--single-transaction swn'], {
		env: { ...process.env, VAR: process.env.SWN_VAR },
		encoding: 'latin1', maxBuffer: 1 << 30,
	});
}

test('an intake through the pages leaves no tracking code, ID number or phone at rest', async () => {
	const context = await phone(browser);
	const page = await context.newPage();
	const unit = (await units()).find((u) => u.kind === 'town');
	const id = idNumber(`32040219880412${String(Math.floor(Math.random() * 1e3)).padStart(3, '0')}`);
	const tel = `137${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
	await openHelp(page, unit.id);
	await fillCase(page, unit.id, `隐私测试企业${tag()}`);
	await fillWorker(page, 0, { name: '张三', id, phone: tel, amount: '3500' });
	const answer = postCase(page);
	await page.getByRole('button', { name: '提交求助' }).click();
	const res = await answer;
	assert.equal(res.status(), 201);
	assert.ok(res.request().headers()['idempotency-key'], 'the page sent an Idempotency-Key');
	const data = await res.json();
	const shown = page.locator('[data-tracking-code]');
	await shown.waitFor({ state: 'visible' });
	assert.equal(await textOf(shown), data.tracking_code, 'the page shows the code once');

	const d = dump();
	assert.ok(d.includes(data.reference), 'the dump is of this database (it holds the reference)');
	for (const s of [data.tracking_code, id, id.slice(6, 14), tel, tel.slice(3), '13912345678']) {
		assert.ok(!d.includes(s), `the dump holds ${s}`);
	}
	await context.close();
});
