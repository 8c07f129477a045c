select date_month, starting_mrr, new_mrr, expansion_mrr, ending_arr from fct_arr_waterfall_month order by date_month
;
select opportunity_id, booking_type, booked_arr from fct_bookings order by booking_date
;
select snapshot_date, opportunity_id, stage_name, amount, weighted_amount_reporting from fct_pipeline_snapshot order by 1, 2
;
select customer_id, customer_key, match_method from dim_customer
;
select kind, count(*) as models from (select case when table_type = 'VIEW' then 'view' else 'table' end as kind from information_schema.tables where table_schema = 'main') group by kind order by kind
