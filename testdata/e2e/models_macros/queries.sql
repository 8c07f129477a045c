select id, customer_currency_key, id_hash, customer, amount, currency, charged_month, age_days, next_charge_on, bad_number from charges order by id
;
select * from monthly_revenue order by date_month
;
select * from stage_flags
