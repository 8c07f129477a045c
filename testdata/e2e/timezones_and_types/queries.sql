select lead_id, created_at, first_touch_at, mql_date, score, is_partner,
       date_diff('minute', created_at, first_touch_at) as minutes_to_touch
from crm.leads order by lead_id
;
select column_name, data_type from information_schema.columns
where table_schema = 'crm' and table_name = 'leads' order by ordinal_position
