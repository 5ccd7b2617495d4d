/*
 * The handlers of every resource, as the route table names them.  Each is
 * described next to its definition: what it answers and which errors it
 * raises.
 */
#ifndef SWN_RESOURCES_H
#define SWN_RESOURCES_H

#include "http.h"

int health_get(struct req *);
int messages_get(struct req *);

int units_list(struct req *);
int units_get(struct req *);
int units_create(struct req *);

int users_list(struct req *);
int users_get(struct req *);
int users_create(struct req *);
int users_patch(struct req *);

int wage_cases_create(struct req *);
int wage_cases_list(struct req *);
int wage_cases_get(struct req *);
int wage_cases_patch(struct req *);
int wage_cases_transition(struct req *);
int wage_cases_recover(struct req *);
int wage_cases_track(struct req *);

int campaigns_list(struct req *);
int campaigns_get(struct req *);
int campaigns_create(struct req *);
int campaigns_patch(struct req *);

int stats_get(struct req *);
int stats_by_unit(struct req *);
int stats_export(struct req *);
int stats_records(struct req *);
int stats_form(struct req *);
int stats_entries_get(struct req *);
int stats_entries_put(struct req *);
int stats_validation(struct req *);
int stats_submissions_list(struct req *);
int stats_submissions_create(struct req *);
int stats_submissions_get(struct req *);
int stats_submissions_approve(struct req *);
int stats_submissions_return(struct req *);
int stats_submissions_reopen(struct req *);
int stats_reporting(struct req *);
int visits_categories(struct req *);
int visits_create(struct req *);
int visits_list(struct req *);
int visits_get(struct req *);
int visits_patch(struct req *);
int visits_delete(struct req *);
int safe_returns_create(struct req *);
int safe_returns_batch(struct req *);
int safe_returns_list(struct req *);
int safe_returns_get(struct req *);
int safe_returns_patch(struct req *);
int safe_returns_transition(struct req *);
int safe_returns_arrive(struct req *);
int safe_returns_provinces(struct req *);
int job_fairs_create(struct req *);
int job_fairs_list(struct req *);
int job_fairs_get(struct req *);
int job_fairs_patch(struct req *);
int job_fairs_employer_create(struct req *);
int job_fairs_employer_list(struct req *);
int job_fairs_employer_get(struct req *);
int job_fairs_placement_create(struct req *);
int job_fairs_placement_list(struct req *);
int job_fairs_register(struct req *);
int job_fairs_registration_list(struct req *);
int job_fairs_registration_get(struct req *);
int job_fairs_qr(struct req *);
int job_fairs_cancel(struct req *);
int job_fairs_check_in(struct req *);

/*
 * Each resource's request tables, NULL-terminated (valid.h).  The tests
 * walk every table through FIELD_TABLES, so a new resource declares its
 * array here and adds it to the list.  (Job fairs, fcgi/job_fairs.c and
 * fcgi/fair_signups.c, add theirs when they land.)
 */
extern const struct vtable_ref auth_tables[];
extern const struct vtable_ref unit_tables[];
extern const struct vtable_ref user_tables[];
extern const struct vtable_ref campaign_tables[];
extern const struct vtable_ref wage_case_tables[];
extern const struct vtable_ref visit_tables[];
extern const struct vtable_ref safe_return_tables[];
extern const struct vtable_ref job_fair_tables[];
extern const struct vtable_ref fair_signup_tables[];
extern const struct vtable_ref entry_tables[];
extern const struct vtable_ref submission_tables[];

#define FIELD_TABLES                                                           \
	auth_tables, unit_tables, user_tables, campaign_tables,                \
	    wage_case_tables, visit_tables, safe_return_tables,                \
	    job_fair_tables, fair_signup_tables, entry_tables,                 \
	    submission_tables

#endif
