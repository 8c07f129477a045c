-- The project's own calendar replaces the packaged one.
select date '2026-10-01' as date_month, 2026 as calendar_year, 2027 as fiscal_year, 3 as fiscal_quarter, true as is_as_of_month
