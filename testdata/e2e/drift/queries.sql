select * exclude (_revops_loaded_at, _revops_run_id) from billing.invoices order by invoice_id
;
select column_name, data_type from information_schema.columns
where table_schema = 'billing' and table_name = 'invoices' order by ordinal_position
