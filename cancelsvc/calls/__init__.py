"""Call tasks: customers a clerk should phone (follow-up calls, dissatisfied customers)."""
