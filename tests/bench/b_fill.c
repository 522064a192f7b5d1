/*
 * b_fill DIR N [BATCH]: writes N problem records into the node in DIR
 * through the write path, BATCH per transaction (setup for the replication
 * benchmarks; not timed there).
 * b_fill DIR N BATCH fa: the same with Persian text (thin.sh): titles and
 * descriptions drawn word by word from a vocabulary of a problem register.
 * b_fill DIR N BATCH fa-short: Persian text of the size of the ASCII record
 * (about 145 bytes of values: a title of 2 to 4 words, a description of 4 to
 * 10), the record P1_vs_pouchdb sends through both stacks (peer.sh).
 * b_fill --plain FILE N BATCH: the baseline: inserts the same rows into a
 * plain table, BATCH per transaction, and prints the rows per second.
 */
#include <sqlite3.h>
#include <time.h>
#include <unistd.h>

#include "domain/domain.h"
#include "store/store.h"
#include "plain.h"
#include "test.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
row_text(int i, char *title, size_t n)
{
	snprintf(title, n, "problem %d", i);
}

/*
 * Words of problem reports as secretariats write them.  Drawn at random
 * (seeded), a description repeats words as real text does but no sentence
 * twice: zstd finds the words, never whole records.
 */
static const char *const fa_words[] = {
	"کمبود", "آب", "آشامیدنی", "روستای", "مدرسه", "جاده", "خرابی", "است", "و", "اهالی", "درخواست",
	"دارند", "برق", "درمانگاه", "پزشک", "دهستان", "بخش", "شهرستان", "فاضلاب", "آسفالت", "پل",
	"رودخانه", "سیلاب", "خسارت", "کشاورزان", "دام", "علوفه", "خشکسالی", "چاه", "قنات", "لوله",
	"کشی", "شبکه", "گاز", "نرسیده", "سال", "گذشته", "وعده", "داده", "شد", "اما", "هنوز", "انجام",
	"نشده", "دانش", "آموزان", "کلاس", "معلم", "ندارد", "بیکاری", "جوانان", "کارگاه", "تعطیل",
	"بیمه", "روستاییان", "اینترنت", "آنتن", "تلفن", "همراه", "مسیر", "خطرناک", "تصادف", "زمستان",
	"برف", "راه", "بسته", "می", "شود", "بیمار", "اورژانس", "آمبولانس", "دور", "کیلومتر", "فاصله",
	"هزینه", "بالا", "درآمد", "خانوار", "پایین", "زنان", "سرپرست", "حمایت", "کمیته", "امداد",
	"بهزیستی", "مسکن", "مهر", "ناتمام", "مانده", "شورای", "اسلامی", "دهیاری", "پیگیری", "کرده",
	"پاسخی", "نگرفته", "اند", "لطفا", "رسیدگی", "شود", "فوری", "مشکل", "جدی", "چندین", "ماه",
	"باغداران", "سرمازدگی", "محصول", "بازار", "فروش", "قیمت", "نهاده", "کود", "سم", "تراکتور",
};

static uint64_t fa_seed = 0x6661;

/* fa_text writes words drawn at random, between lo and hi of them, into buf. */
static void
fa_text(char *buf, size_t n, int lo, int hi)
{
	int k, words;
	size_t len = 0;

	fa_seed = fa_seed * 6364136223846793005ULL + 1442695040888963407ULL;
	words = lo + (int)((fa_seed >> 33) % (uint64_t)(hi - lo + 1));
	buf[0] = '\0';
	for (k = 0; k < words && len + 40 < n; k++) {
		fa_seed = fa_seed * 6364136223846793005ULL + 1442695040888963407ULL;
		len += (size_t)snprintf(buf + len, n - len, "%s%s", k ? " " : "",
					fa_words[(fa_seed >> 33) % (sizeof(fa_words) / sizeof(fa_words[0]))]);
	}
}

static int
plain(const char *path, int n, int batch)
{
	sqlite3 *db;
	sqlite3_stmt *ins;
	char rid[NZ_RID_MAX], title[64];
	double t0;
	int i;

	unlink(path);
	sqlite3_open(path, &db);
	sqlite3_exec(db,
		     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
		     "CREATE TABLE issue (id TEXT PRIMARY KEY, owner TEXT NOT NULL, deleted INTEGER NOT NULL"
		     " DEFAULT 0, title TEXT, description TEXT, category TEXT, status TEXT, created TEXT);"
		     /* The indexes the store keeps on problems (schema 5: no status nor category). */
		     "CREATE INDEX issue_owner ON issue(owner);",
		     NULL, NULL, NULL);
	sqlite3_prepare_v2(db, PLAIN_INSERT, -1, &ins, NULL);
	t0 = now();
	for (i = 0; i < n; i++) {
		if (i % batch == 0)
			sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		store_new_id(rid);
		row_text(i, title, sizeof(title));
		plain_insert(ins, rid, title);
		if (i % batch == batch - 1 || i == n - 1)
			sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	}
	printf("%.0f\n", n / (now() - t0));
	sqlite3_finalize(ins);
	sqlite3_close(db);
	return 0;
}

int
main(int argc, char **argv)
{
	char path[1024], rid[NZ_RID_MAX], title[256], desc[1024], id[NZ_ID_MAX] = "";
	int fa; /* 0: ASCII, 1: Persian as thin.sh has it, 2: Persian, short */
	struct nz_err err = {0};
	struct store *st;
	int n, batch, i;

	if (argc >= 5 && strcmp(argv[1], "--plain") == 0)
		return plain(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc < 3) {
		fprintf(stderr, "usage: b_fill DIR N [BATCH [fa|fa-short]] | b_fill --plain FILE N BATCH\n");
		return 2;
	}
	n = atoi(argv[2]);
	batch = argc > 3 ? atoi(argv[3]) : 10000;
	fa = argc <= 4 ? 0 : strcmp(argv[4], "fa") == 0 ? 1 : strcmp(argv[4], "fa-short") == 0 ? 2 : -1;
	if (fa < 0) {
		fprintf(stderr, "b_fill: unknown text '%s' (fa or fa-short)\n", argv[4]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/nehzat.db", argv[1]);
	if (store_open(&st, path, domain_tables(), false, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	snprintf(id, sizeof(id), "%s", store_node(st));
	for (i = 0; i < n; i++) {
		struct colset *cs = colset_new();
		if (i % batch == 0)
			store_begin(st, &err);
		store_new_id(rid);
		if (fa == 1) {
			fa_text(title, sizeof(title), 3, 7);
			fa_text(desc, sizeof(desc), 15, 45);
		} else if (fa == 2) {
			fa_text(title, sizeof(title), 2, 4);
			fa_text(desc, sizeof(desc), 4, 10);
		} else {
			row_text(i, title, sizeof(title));
			snprintf(desc, sizeof(desc), "a description of the problem");
		}
		colset_text(cs, "title", title);
		colset_text(cs, "description", desc);
		colset_text(cs, "category", "water");
		colset_text(cs, "status", "identified");
		colset_text(cs, "created", "2026-11-28");
		if (store_write(st, "issue", rid, id, cs, "bench", &err) != 0) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		colset_free(cs);
		if (i % batch == batch - 1 || i == n - 1)
			store_commit(st, &err);
	}
	store_close(st);
	return 0;
}
