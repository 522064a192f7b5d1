#include "domain/allocate.h"
#include "domain/domain.h"
#include "domain/fresh.h"
#include "domain/register.h"
#include "domain/reports.h"
#include "domain/selection.h"

static const struct tbl_def *const all_tables[] = {
	&orgunit_table,
	&issue_table,
	&problem_category_table,
	&facilitator_table,
	&priority_criterion_table,
	&delib_session_table,
	&issue_score_table,
	&solution_table,
	&council_decision_table,
	&intervention_table,
	&evaluation_table,
	&organisation_table,
	&org_intro_table,
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

const struct tbl_def *const *
domain_tables(void)
{
	return all_tables;
}
