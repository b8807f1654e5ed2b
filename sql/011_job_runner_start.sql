-- The batch service: which process runs a job, exactly.
--
-- pid_start: the kernel's start time of the runner process (clock ticks since boot, as the
-- embedded database's lock records it), so a service restarted on the same host tells its own dead
-- runs (pid gone, or reused by another process: a container's pid 1) from live ones at once,
-- without waiting for their lease to lapse. Null where unknown (no /proc).
alter table job_runs add column pid_start text;
