"""Thin page views: each validates input, asks the policy and a selector or service, and renders.

``reference`` — frameworks, items and their sourced history; ``workflow`` — My updates, the observation form,
review queue, evidence, audit trail; ``dashboard`` — M&E dashboard, explorer, exports, indicator pages.
"""
