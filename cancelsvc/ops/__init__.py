"""Operations: liveness, readiness, API documentation."""
