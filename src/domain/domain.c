#include "domain/aggregate.h"
#include "domain/allocate.h"
#include "domain/domain.h"
#include "domain/fresh.h"
#include "domain/register.h"
#include "domain/reports.h"
#include "domain/resource.h"
#include "domain/selection.h"

static const struct tbl_def *const all_tables[] = {
	&orgunit_table,
	&issue_table,
	&problem_category_table,
	&priority_criterion_table,
	&delib_session_table,
	&issue_score_table,
	&solution_table,
	&council_decision_table,
	&intervention_table,
	&evaluation_table,
	&org_intro_table,
	&record_link_table,
	&sel_standard_table,
	&sel_call_table,
	&sel_applicant_table,
	&sel_doc_table,
	&sel_review_table,
	&sel_interview_table,
	&sel_appointment_table,
	&sel_decree_table,
	&sel_course_table,
	&sel_session_table,
	&sel_attendance_table,
	&report_template_table,
	&report_table,
	&period_approval_table,
	&indicator_table,
	&freshness_table,
	NULL,
};

/* The tables above, then those of the resources declared in resources.c that are not among them: a
 * resource's table needs no line here.  Built once, on the first call (at a node's opening). */
const struct tbl_def *const *
domain_tables(void)
{
	static const struct tbl_def *tables[sizeof(all_tables) / sizeof(all_tables[0]) + 32];
	const struct res_def *const *r;
	size_t n = 0, i;

	if (tables[0] != NULL)
		return tables;
	agg_register(); /* the write path keeps the dashboard's counts of problems */
	for (i = 0; all_tables[i] != NULL; i++)
		tables[n++] = all_tables[i];
	for (r = res_all(); *r != NULL && n + 1 < sizeof(tables) / sizeof(tables[0]); r++) {
		for (i = 0; i < n && tables[i] != (*r)->tbl; i++)
			;
		if (i == n)
			tables[n++] = (*r)->tbl;
	}
	tables[n] = NULL;
	return tables;
}
