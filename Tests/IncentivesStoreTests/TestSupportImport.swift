// Every file of this target sees the shared test databases.
@_exported import IncentivesTestSupport
