// The peer in the benchmark (P1_vs_pouchdb, peer.sh): the offline-first stack
// people would pick instead of nehzat, PouchDB 9 on LevelDB (on disk) pushing
// to a CouchDB-compatible server (express-pouchdb over PouchDB on LevelDB).
//
//   node pouch.js server DIR PORT        serve DIR's databases on 127.0.0.1:PORT
//                                        (prints "ready" once it listens)
//   node pouch.js fill DIR ROWS.json     a database in DIR holding the records
//                                        of ROWS.json (sqlite3 -json of nehzat's
//                                        issue rows), as local writes
//   node pouch.js push DIR PORT N BATCH  one replication of DIR to the server's
//                                        "bench" database, BATCH docs a request;
//                                        fails unless N docs were written
//
// Nothing here leaves 127.0.0.1.
'use strict';

const fs = require('fs');
const path = require('path');

const PouchDB = require('pouchdb');

const [mode, dir, arg, n, batch] = process.argv.slice(2);

function fail(msg) {
	console.error(`pouch.js: ${msg}`);
	process.exit(1);
}

async function server() {
	const express = require('express');
	const expressPouch = require('express-pouchdb');
	const Local = PouchDB.defaults({ prefix: path.resolve(dir) + '/' });
	const app = express();
	// minimumForPouchDB: the routes replication uses, no config or log files.
	app.use('/', expressPouch(Local, { mode: 'minimumForPouchDB', logPath: path.join(dir, 'log.txt') }));
	const s = app.listen(Number(arg), '127.0.0.1', () => console.log('ready'));
	s.on('error', (e) => fail(`listen: ${e.message}`));
	const stop = () => s.close(() => process.exit(0));
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
}

async function fill() {
	const rows = JSON.parse(fs.readFileSync(arg, 'utf8'));
	const db = new PouchDB(path.resolve(dir));
	for (let i = 0; i < rows.length; i += 1000) {
		const docs = rows.slice(i, i + 1000).map((r) => ({
			_id: r.id,
			title: r.title,
			description: r.description,
			category: r.category,
			status: r.status,
			created: r.created,
		}));
		const res = await db.bulkDocs(docs);
		const bad = res.find((x) => x.error);
		if (bad) fail(`fill: ${bad.id}: ${bad.message || bad.error}`);
	}
	const info = await db.info();
	await db.close();
	if (info.doc_count !== rows.length) fail(`fill: ${info.doc_count} docs of ${rows.length}`);
}

async function push() {
	const src = new PouchDB(path.resolve(dir));
	const target = new PouchDB(`http://127.0.0.1:${Number(arg)}/bench`);
	const res = await src.replicate.to(target, { batch_size: Number(batch) });
	await src.close();
	if (!res.ok || res.docs_written !== Number(n))
		fail(`push: ${res.docs_written} docs written of ${n} (${JSON.stringify(res.errors).slice(0, 200)})`);
	const info = await target.info();
	if (info.doc_count !== Number(n)) fail(`push: the server holds ${info.doc_count} docs of ${n}`);
}

const modes = { server, fill, push };
if (!modes[mode] || !dir || !arg) fail('usage: pouch.js server DIR PORT | fill DIR ROWS.json | push DIR PORT N BATCH');
modes[mode]().catch((e) => fail(`${mode}: ${e.stack || e}`));
