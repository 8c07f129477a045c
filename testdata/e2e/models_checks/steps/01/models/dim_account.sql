select id as account_id, lower(domain) as domain, segment from {{ source('crm', 'accounts') }}
