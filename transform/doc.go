// Package transform turns model files into warehouse tables, the way analytics engineers know
// from dbt: each models/**/*.sql file is one SELECT written with a documented Jinja subset
// ({{ ref() }}, {{ source() }}, {{ var() }}, {{ config() }}, {% if is_incremental() %}, macros,
// cross-database helpers), configured by a {{ config() }} call and by YAML files next to it.
//
// Load parses a project (files on disk plus the packaged models), validates every reference
// and builds the DAG before any SQL runs. Compile renders a model's SQL for a dialect. A
// Builder materializes the selected models in DAG order — view, table (replaced atomically),
// incremental (merge, delete+insert or append on unique_key) or ephemeral (inlined as a CTE) —
// running independent models in parallel and skipping the downstream of a failure.
package transform
