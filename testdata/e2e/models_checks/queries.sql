select check_id, status, observed, failing_rows from _revops.check_results
where run_id = (select run_id from _revops.runs order by started_at desc limit 1)
order by check_id
;
select count(distinct run_id) as runs_with_checks from _revops.check_results
