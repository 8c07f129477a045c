select id, amount, stage, updated_at from crm.opportunities order by id
;
select count(*) as rows, count(distinct id) as keys from crm.opportunities
