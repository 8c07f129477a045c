select 1 as id, 'emea' as region
