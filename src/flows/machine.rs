//! An execution as a value: where each of its threads is (a state, a Task in flight, a Wait's
//! deadline, a retry's backoff, the branches of a Parallel, the iterations of a Map), stepped
//! from one transition to the next. It serialises to the `cursor` of an Execution's status, so
//! an execution resumes after a restart where it was (a Task in flight is called again).
