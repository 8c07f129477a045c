select count(*) as payments from information_schema.tables where table_schema = 'billing'
