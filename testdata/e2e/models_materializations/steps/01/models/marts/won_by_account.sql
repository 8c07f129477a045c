with won as (
    select account, amount from {{ ref('int_won') }}
)
select account, sum(amount) as won_amount from won group by account
