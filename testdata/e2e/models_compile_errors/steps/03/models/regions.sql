select region from {{ ref('accounts') }}
