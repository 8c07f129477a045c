select *
from {{ ref('stg_acounts') }}
