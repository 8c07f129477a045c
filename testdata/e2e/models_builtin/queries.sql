select date_month, calendar_year, fiscal_year, fiscal_quarter, is_as_of_month from dim_month
where date_month in (date '2026-01-01', date '2026-02-01', date '2026-04-01', date '2026-10-01', date '2027-01-01')
order by date_month
;
select count(*) as months, min(date_month) as first, max(date_month) as last from dim_month
