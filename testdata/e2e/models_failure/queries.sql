select table_name, table_type from information_schema.tables where table_schema = 'main' order by table_name
;
select * from invoice_counts order by customer
;
select * from customer_revenue order by customer
