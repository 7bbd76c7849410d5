"""Data-quality rules and findings (DHIS2-style validation rules): parts and whole, ranges, running totals,
relations between indicators, completeness and timeliness. Findings are for reviewers to weigh; the hard
input rules that refuse a figure live in the models' ``clean()``.

- ``expressions``: the relation language, parsed without ``eval``;
- ``figures``: the published figures (and candidates) every rule reads;
- ``checks``: one set-wise SQL statement per rule; ``engine``: which rules run, over what;
- ``messages``: a finding in words; ``selectors``: reads; ``services``: writes (runs, submissions, follow-up).
"""
