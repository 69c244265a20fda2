"""Forms of the researcher's pages. They only parse input; the services check the rules and report every problem."""
