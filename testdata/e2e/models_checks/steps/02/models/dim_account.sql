select id as account_id, lower(domain) as domain,
       case when segment = 'startup' then 'smb' else segment end as segment
from {{ source('crm', 'accounts') }}
