select table_name, table_type from information_schema.tables where table_schema = 'analytics' order by table_name
;
select * from analytics.account_totals order by account
;
select * from analytics.won_by_account order by account
;
select id, account, amount, stage, updated_at from analytics.opp_current order by id
;
select id, stage, updated_at from analytics.opp_events order by id, updated_at
;
select account, opportunities, updated_at from analytics.account_rollup order by account
