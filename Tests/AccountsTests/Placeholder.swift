// placeholder until the suites land
