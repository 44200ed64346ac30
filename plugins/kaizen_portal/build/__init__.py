"""Stage 5, the build: the whole pipeline in one call, the memo that keeps work across
rebuilds, the workers that share it among CPUs, and the dates git gives.
"""
