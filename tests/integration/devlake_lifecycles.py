"""Lifecycles of DevLake sample Jira issues, worked out by hand (independently of the product's code).

Source: /work/shared/datasets/devlake-samples/jira/search_page_001..003.json (33 issues of a real Jira
Cloud site, GET /rest/api/2/search?expand=changelog, histories listed newest first) and status.json
(GET /rest/api/2/status, 53 statuses). All times in the data carry +0800; every time below is UTC
(local time minus 8 hours). Millisecond parts are kept in the arithmetic.

Mapping (status -> flow state BY STATUS ID, never by name):
- ids present in status.json: statusCategory.key new -> new, indeterminate -> active, done -> done.
  Ids met in the chosen items: 1 Open -> new, 3 (named "In Development" in old histories, "In Progress"
  now; same id) -> active, 6 Closed -> done, 10033 To Do -> new, 10068 已完成 -> done.
- ids absent from status.json (deleted statuses): DELETED_STATUS_STATES below
  (10029 Ready for Dev -> new, 10020 Inbox -> new, 5 Resolved -> done, 10000 To Do -> new).
- canceling resolutions: "Won't Do", "Won't Fix", "Duplicate", "Cannot Reproduce". FIVE of the 33 issues
  have the current resolution "Won't Do" (EE-20, EE-24, EE-26, EE-30, EE-35): the final run of done
  intervals of each becomes 'canceled' (an earlier done period before a reopen stays done). A canceled
  item's current state is 'canceled', so finished_at, flow_time_days and flow_efficiency are None;
  active_days is still given (the brief: "only when started_at is set").

Lifecycle rules: status changes are the history items with field == 'status', ordered by history
`created` ascending then history id; interval 0 holds the first change's from-status from fields.created
(no change: fields.status); interval n is the to-status of change n until the next change, the last one
open until AS_OF. started_at = first entry into active; finished_at = entry of the last done interval whose
previous interval is not done, only if the current state is done; reopen_count = transitions from
done/canceled into new/active; flow_time_days = (finished_at - started_at)/86400 s; active_days = sum of
active intervals; flow_efficiency = active seconds / flow-time seconds. Floats rounded to 6 decimals.

AS_OF = 2024-01-01 00:00:00 UTC; every timestamp in the data is earlier (the latest is a sprint endDate
2022-07-29T22:35:00Z; the latest issue/history time is 2022-07-16T06:31:38.616+0800). The data has no
status change dated before its issue's creation, no history id listed twice, no two status changes at the
same instant and no change whose from id equals its to id. No issue is active at AS_OF: the 30 EE issues
all end in 10068 (done or, with "Won't Do", canceled) and the 3 K5 issues never left 10033 To Do (new).
"""

AS_OF = "2024-01-01 00:00:00"

DELETED_STATUS_STATES = {"10029": "new", "10020": "new", "5": "done", "10000": "new"}

EXPECTED = {
    # EE-1 (story; renamed id 3 under BOTH names; deleted 10020 and 10029; active then back to new).
    # created 2020-06-12 08:13:13.360+0800 = 2020-06-12 00:13:13.360 UTC
    #   i0 2020-06-12 00:13:13.360  status at creation = 10020 Inbox (from of first change)   new
    #   h10900 2020-06-12 01:45:24.493  10020 Inbox -> 10029 Ready for Dev                     new
    #   h10911 2020-06-12 03:38:39.785  10029 Ready for Dev -> 3 "In Development"              active  <- started
    #   h11066 2020-06-12 06:22:49.352  3 "In Progress" -> 1 Open                              new (not a reopen)
    #   h12025 2020-06-19 06:31:18.526  1 Open -> 6 Closed                                     done    <- finished
    #   h86412 2021-03-28 08:06:08.715  6 Closed -> 10068 已完成                                done (open to as_of)
    # flow: finished 2020-06-19 06:31:18.526 - started 2020-06-12 03:38:39.785
    #       = 7 d 2 h 52 m 38.741 s = 604800 + 7200 + 3120 + 38.741 = 615158.741 s = 7.119893 d
    # active: 06:22:49.352 - 03:38:39.785 = 2 h 44 m 9.567 s = 9849.567 s = 0.114000 d (0.1139996)
    # efficiency: 9849.567 / 615158.741 = 0.016011
    "EE-1": {
        "current_status_id": "10068",
        "current_flow_state": "done",
        "started_at": "2020-06-12 03:38:39.785000",
        "finished_at": "2020-06-19 06:31:18.526000",
        "reopen_count": 0,
        "flow_time_days": 7.119893,
        "active_days": 0.114,
        "flow_efficiency": 0.016011,
    },
    # EE-2 (story; deleted 10020, 10029, 10000 and 5; never active; done -> done -> done is one finish).
    # created 2020-06-12 08:15:36.123+0800 = 2020-06-12 00:15:36.123 UTC
    #   i0 2020-06-12 00:15:36.123  10020 Inbox                                               new
    #   h10901 2020-06-12 01:45:27.521  10020 Inbox -> 10029 Ready for Dev                     new
    #   h10933 2020-06-12 04:58:47.299  10029 Ready for Dev -> 10000 To Do                     new
    #   h10983 2020-06-12 05:01:20.593  10000 To Do -> 1 Open                                  new
    #   h12559 2020-06-23 10:20:59.052  1 Open -> 5 Resolved                                   done    <- finished
    #   h35073 2020-11-10 01:43:02.579  5 Resolved -> 6 Closed                                 done
    #   h86135 2021-03-28 08:05:55.017  6 Closed -> 10068 已完成                                done
    # never active -> started_at None -> no flow time, active_days or efficiency
    "EE-2": {
        "current_status_id": "10068",
        "current_flow_state": "done",
        "started_at": None,
        "finished_at": "2020-06-23 10:20:59.052000",
        "reopen_count": 0,
        "flow_time_days": None,
        "active_days": None,
        "flow_efficiency": None,
    },
    # EE-5 (task; status at creation is the deleted 10000 To Do; never active).
    # created 2020-06-12 08:16:44.157+0800 = 2020-06-12 00:16:44.157 UTC
    #   i0 2020-06-12 00:16:44.157  10000 To Do                                               new
    #   h10980 2020-06-12 05:01:20.562  10000 To Do -> 1 Open                                  new
    #   h11777 2020-06-18 04:06:00.814  1 Open -> 5 Resolved                                   done    <- finished
    #   h35071 2020-11-10 01:43:02.257  5 Resolved -> 6 Closed                                 done
    #   h86129 2021-03-28 08:05:54.624  6 Closed -> 10068 已完成                                done
    "EE-5": {
        "current_status_id": "10068",
        "current_flow_state": "done",
        "started_at": None,
        "finished_at": "2020-06-18 04:06:00.814000",
        "reopen_count": 0,
        "flow_time_days": None,
        "active_days": None,
        "flow_efficiency": None,
    },
    # EE-14 (task; reopened from the deleted 5 Resolved; never active).
    # created 2020-06-12 08:24:25.922+0800 = 2020-06-12 00:24:25.922 UTC
    #   i0 2020-06-12 00:24:25.922  10000 To Do                                               new
    #   h10886 2020-06-12 01:22:30.323  10000 To Do -> 5 Resolved                              done
    #   h10958 2020-06-12 04:58:47.975  5 Resolved -> 10000 To Do                              new     REOPEN 1
    #   h11030 2020-06-12 05:01:20.966  10000 To Do -> 1 Open                                  new
    #   h11441 2020-06-15 08:59:51.341  1 Open -> 5 Resolved                                   done    <- finished
    #   h35090 2020-11-10 01:43:05.342  5 Resolved -> 6 Closed                                 done
    #   h86159 2021-03-28 08:05:56.154  6 Closed -> 10068 已完成                                done
    "EE-14": {
        "current_status_id": "10068",
        "current_flow_state": "done",
        "started_at": None,
        "finished_at": "2020-06-15 08:59:51.341000",
        "reopen_count": 1,
        "flow_time_days": None,
        "active_days": None,
        "flow_efficiency": None,
    },
    # EE-17 (task; id 3 under its current name "In Progress"; efficiency 1).
    # created 2020-06-12 08:24:56.048+0800 = 2020-06-12 00:24:56.048 UTC
    #   i0 2020-06-12 00:24:56.048  10000 To Do                                               new
    #   h10997 2020-06-12 05:01:20.707  10000 To Do -> 1 Open                                  new
    #   h20833 2020-07-22 06:34:22.169  1 Open -> 3 "In Progress"                              active  <- started
    #   h20839 2020-07-22 07:25:29.223  3 "In Progress" -> 5 Resolved                          done    <- finished
    #   h35078 2020-11-10 01:43:03.405  5 Resolved -> 6 Closed                                 done
    #   h86125 2021-03-28 08:05:54.428  6 Closed -> 10068 已完成                                done
    # flow: 2020-07-22 07:25:29.223 - 2020-07-22 06:34:22.169 = 51 m 7.054 s = 3067.054 s = 0.035498 d
    # active: the same single interval = 3067.054 s = 0.035498 d; efficiency 3067.054 / 3067.054 = 1.0
    "EE-17": {
        "current_status_id": "10068",
        "current_flow_state": "done",
        "started_at": "2020-07-22 06:34:22.169000",
        "finished_at": "2020-07-22 07:25:29.223000",
        "reopen_count": 0,
        "flow_time_days": 0.035498,
        "active_days": 0.035498,
        "flow_efficiency": 1.0,
    },
    # EE-19 (story; 8 status changes; 10020, 10029, 3 "In Development", 5, 10000; reopened).
    # created 2020-06-12 08:28:00.241+0800 = 2020-06-12 00:28:00.241 UTC
    #   i0 2020-06-12 00:28:00.241  10020 Inbox                                               new
    #   h10905 2020-06-12 01:46:22.354  10020 Inbox -> 10029 Ready for Dev                     new
    #   h10906 2020-06-12 01:46:26.809  10029 Ready for Dev -> 3 "In Development"              active  <- started
    #   h10907 2020-06-12 01:46:30.363  3 "In Development" -> 5 Resolved                       done
    #   h10937 2020-06-12 04:58:47.406  5 Resolved -> 10000 To Do                              new     REOPEN 1
    #   h10986 2020-06-12 05:01:20.620  10000 To Do -> 1 Open                                  new
    #   h11832 2020-06-18 08:34:11.171  1 Open -> 5 Resolved                                   done    <- finished
    #   h35109 2020-11-10 01:43:08.611  5 Resolved -> 6 Closed                                 done
    #   h86183 2021-03-28 08:05:57.327  6 Closed -> 10068 已完成                                done
    # flow: 2020-06-18 08:34:11.171 - 2020-06-12 01:46:26.809 = 6 d 6 h 47 m 44.362 s
    #       = 518400 + 21600 + 2820 + 44.362 = 542864.362 s = 6.283152 d
    # active: 01:46:30.363 - 01:46:26.809 = 3.554 s = 0.000041 d (4.1134e-05)
    # efficiency: 3.554 / 542864.362 = 0.0000065468 -> 0.000007
    "EE-19": {
        "current_status_id": "10068",
        "current_flow_state": "done",
        "started_at": "2020-06-12 01:46:26.809000",
        "finished_at": "2020-06-18 08:34:11.171000",
        "reopen_count": 1,
        "flow_time_days": 6.283152,
        "active_days": 0.000041,
        "flow_efficiency": 0.000007,
    },
    # EE-20 (story; resolution "Won't Do" -> final done run canceled; 10020 -> 10000; never active).
    # created 2020-06-12 08:29:43.677+0800 = 2020-06-12 00:29:43.677 UTC
    #   i0 2020-06-12 00:29:43.677  10020 Inbox                                               new
    #   h10946 2020-06-12 04:58:47.654  10020 Inbox -> 10000 To Do                             new
    #   h11010 2020-06-12 05:01:20.811  10000 To Do -> 1 Open                                  new
    #   h11595 2020-06-17 07:25:54.426  1 Open -> 6 Closed                                     done -> CANCELED (canceled_at)
    #   h86193 2021-03-28 08:05:57.832  6 Closed -> 10068 已完成                                done -> CANCELED
    # current state canceled -> finished_at None; never active -> no durations
    "EE-20": {
        "current_status_id": "10068",
        "current_flow_state": "canceled",
        "started_at": None,
        "finished_at": None,
        "reopen_count": 0,
        "flow_time_days": None,
        "active_days": None,
        "flow_efficiency": None,
    },
    # EE-23 (bug; 9 status changes; reopened; 10033 To Do from status.json; 11 s active).
    # created 2020-06-12 08:33:57.204+0800 = 2020-06-12 00:33:57.204 UTC
    #   i0 2020-06-12 00:33:57.204  1 Open                                                    new
    #   h10898 2020-06-12 01:27:39.141  1 Open -> 3 "In Development"                           active  <- started
    #   h10899 2020-06-12 01:27:50.404  3 "In Development" -> 5 Resolved                       done
    #   h10932 2020-06-12 04:58:47.271  5 Resolved -> 10000 To Do                              new     REOPEN 1
    #   h11005 2020-06-12 05:01:20.770  10000 To Do -> 1 Open                                  new
    #   h11252 2020-06-12 13:08:24.581  1 Open -> 10033 To Do                                  new
    #   h11284 2020-06-12 13:15:21.650  10033 To Do -> 1 Open                                  new
    #   h11449 2020-06-15 09:07:56.858  1 Open -> 5 Resolved                                   done    <- finished
    #   h11537 2020-06-17 03:08:17.806  5 Resolved -> 6 Closed                                 done
    #   h86178 2021-03-28 08:05:57.097  6 Closed -> 10068 已完成                                done
    # flow: 2020-06-15 09:07:56.858 - 2020-06-12 01:27:39.141 = 3 d 7 h 40 m 17.717 s
    #       = 259200 + 25200 + 2400 + 17.717 = 286817.717 s = 3.319650 d (3.3196495)
    # active: 01:27:50.404 - 01:27:39.141 = 11.263 s = 0.000130 d (1.3036e-04)
    # efficiency: 11.263 / 286817.717 = 0.0000392688 -> 0.000039
    "EE-23": {
        "current_status_id": "10068",
        "current_flow_state": "done",
        "started_at": "2020-06-12 01:27:39.141000",
        "finished_at": "2020-06-15 09:07:56.858000",
        "reopen_count": 1,
        "flow_time_days": 3.31965,
        "active_days": 0.00013,
        "flow_efficiency": 0.000039,
    },
    # EE-24 (story; "Won't Do"; an EARLIER done period (Closed) stays done, the reopen counts,
    #        only the final done run is canceled; never active).
    # created 2020-06-12 08:35:15.489+0800 = 2020-06-12 00:35:15.489 UTC
    #   i0 2020-06-12 00:35:15.489  10020 Inbox                                               new
    #   h10895 2020-06-12 01:26:44.440  10020 Inbox -> 6 Closed                                done (stays done)
    #   h10927 2020-06-12 04:58:47.129  6 Closed -> 10000 To Do                                new     REOPEN 1
    #   h11001 2020-06-12 05:01:20.739  10000 To Do -> 1 Open                                  new
    #   h11076 2020-06-12 07:17:28.723  1 Open -> 6 Closed                                     done -> CANCELED (canceled_at)
    #   h86152 2021-03-28 08:05:55.821  6 Closed -> 10068 已完成                                done -> CANCELED
    "EE-24": {
        "current_status_id": "10068",
        "current_flow_state": "canceled",
        "started_at": None,
        "finished_at": None,
        "reopen_count": 1,
        "flow_time_days": None,
        "active_days": None,
        "flow_efficiency": None,
    },
    # EE-25 (sub-task of EE-1; done first, reopened, then active under the name "In Progress").
    # created 2020-06-12 08:40:54.210+0800 = 2020-06-12 00:40:54.210 UTC
    #   i0 2020-06-12 00:40:54.210  10000 To Do                                               new
    #   h10721 2020-06-12 00:45:12.459  10000 To Do -> 5 Resolved                              done
    #   h10928 2020-06-12 04:58:47.158  5 Resolved -> 10000 To Do                              new     REOPEN 1
    #   h10982 2020-06-12 05:01:20.582  10000 To Do -> 1 Open                                  new
    #   h11074 2020-06-12 07:07:26.139  1 Open -> 3 "In Progress"                              active  <- started
    #   h11767 2020-06-18 04:02:22.406  3 "In Progress" -> 5 Resolved                          done    <- finished
    #   h35107 2020-11-10 01:43:08.243  5 Resolved -> 6 Closed                                 done
    #   h86180 2021-03-28 08:05:57.190  6 Closed -> 10068 已完成                                done
    # flow: 2020-06-18 04:02:22.406 - 2020-06-12 07:07:26.139 = 5 d 20 h 54 m 56.267 s
    #       = 432000 + 72000 + 3240 + 56.267 = 507296.267 s = 5.871485 d
    # active: the same single interval = 507296.267 s = 5.871485 d; efficiency 1.0
    "EE-25": {
        "current_status_id": "10068",
        "current_flow_state": "done",
        "started_at": "2020-06-12 07:07:26.139000",
        "finished_at": "2020-06-18 04:02:22.406000",
        "reopen_count": 1,
        "flow_time_days": 5.871485,
        "active_days": 5.871485,
        "flow_efficiency": 1.0,
    },
    # EE-26 (sub-task of EE-1; "Won't Do"; started, done, reopened, final done run canceled).
    # created 2020-06-12 08:41:01.683+0800 = 2020-06-12 00:41:01.683 UTC
    #   i0 2020-06-12 00:41:01.683  10000 To Do                                               new
    #   h10716 2020-06-12 00:44:27.184  10000 To Do -> 3 "In Development"                      active  <- started
    #   h10717 2020-06-12 00:44:29.415  3 "In Development" -> 5 Resolved                       done (stays done)
    #   h10925 2020-06-12 04:58:47.075  5 Resolved -> 10000 To Do                              new     REOPEN 1
    #   h10999 2020-06-12 05:01:20.723  10000 To Do -> 1 Open                                  new
    #   h11448 2020-06-15 09:06:51.497  1 Open -> 6 Closed                                     done -> CANCELED (canceled_at)
    #   h86139 2021-03-28 08:05:55.210  6 Closed -> 10068 已完成                                done -> CANCELED
    # current state canceled -> finished_at, flow_time, efficiency None.
    # active (given because started_at is set): 00:44:29.415 - 00:44:27.184 = 2.231 s = 0.000026 d (2.5822e-05)
    "EE-26": {
        "current_status_id": "10068",
        "current_flow_state": "canceled",
        "started_at": "2020-06-12 00:44:27.184000",
        "finished_at": None,
        "reopen_count": 1,
        "flow_time_days": None,
        "active_days": 0.000026,
        "flow_efficiency": None,
    },
    # EE-27 (sub-task of EE-1; active as "In Development", done, reopened, done again).
    # created 2020-06-12 08:41:16.622+0800 = 2020-06-12 00:41:16.622 UTC
    #   i0 2020-06-12 00:41:16.622  10000 To Do                                               new
    #   h10722 2020-06-12 00:45:20.307  10000 To Do -> 3 "In Development"                      active  <- started
    #   h10908 2020-06-12 03:36:32.132  3 "In Development" -> 5 Resolved                       done
    #   h10938 2020-06-12 04:58:47.434  5 Resolved -> 10000 To Do                              new     REOPEN 1
    #   h10987 2020-06-12 05:01:20.628  10000 To Do -> 1 Open                                  new
    #   h12026 2020-06-19 06:31:31.696  1 Open -> 5 Resolved                                   done    <- finished
    #   h35105 2020-11-10 01:43:07.931  5 Resolved -> 6 Closed                                 done
    #   h86145 2021-03-28 08:05:55.499  6 Closed -> 10068 已完成                                done
    # flow: 2020-06-19 06:31:31.696 - 2020-06-12 00:45:20.307 = 7 d 5 h 46 m 11.389 s
    #       = 604800 + 18000 + 2760 + 11.389 = 625571.389 s = 7.240410 d (7.2404096)
    # active: 03:36:32.132 - 00:45:20.307 = 2 h 51 m 11.825 s = 10271.825 s = 0.118887 d
    # efficiency: 10271.825 / 625571.389 = 0.016420 (0.0164199)
    "EE-27": {
        "current_status_id": "10068",
        "current_flow_state": "done",
        "started_at": "2020-06-12 00:45:20.307000",
        "finished_at": "2020-06-19 06:31:31.696000",
        "reopen_count": 1,
        "flow_time_days": 7.24041,
        "active_days": 0.118887,
        "flow_efficiency": 0.01642,
    },
    # EE-30 (sub-task of EE-2; "Won't Do"; never active; reopened; final done run canceled).
    # created 2020-06-12 08:48:39.803+0800 = 2020-06-12 00:48:39.803 UTC
    #   i0 2020-06-12 00:48:39.803  10000 To Do                                               new
    #   h10742 2020-06-12 00:49:51.061  10000 To Do -> 5 Resolved                              done (stays done)
    #   h10943 2020-06-12 04:58:47.569  5 Resolved -> 10000 To Do                              new     REOPEN 1
    #   h11008 2020-06-12 05:01:20.793  10000 To Do -> 1 Open                                  new
    #   h11447 2020-06-15 09:06:40.231  1 Open -> 6 Closed                                     done -> CANCELED (canceled_at)
    #   h86138 2021-03-28 08:05:55.162  6 Closed -> 10068 已完成                                done -> CANCELED
    "EE-30": {
        "current_status_id": "10068",
        "current_flow_state": "canceled",
        "started_at": None,
        "finished_at": None,
        "reopen_count": 1,
        "flow_time_days": None,
        "active_days": None,
        "flow_efficiency": None,
    },
    # EE-33 (sub-task of EE-1; shortest EE history; Open -> Closed directly; never active).
    # created 2020-06-12 08:50:45.674+0800 = 2020-06-12 00:50:45.674 UTC
    #   i0 2020-06-12 00:50:45.674  10000 To Do                                               new
    #   h11012 2020-06-12 05:01:20.826  10000 To Do -> 1 Open                                  new
    #   h12027 2020-06-19 06:32:19.398  1 Open -> 6 Closed                                     done    <- finished
    #   h86140 2021-03-28 08:05:55.255  6 Closed -> 10068 已完成                                done
    "EE-33": {
        "current_status_id": "10068",
        "current_flow_state": "done",
        "started_at": None,
        "finished_at": "2020-06-19 06:32:19.398000",
        "reopen_count": 0,
        "flow_time_days": None,
        "active_days": None,
        "flow_efficiency": None,
    },
    # K5-2 (story, child of epic K5-1; NO status change: its 2 histories change Epic Link and
    #       IssueParentAssociation only). created 2022-07-16 06:29:49.026+0800 = 2022-07-15 22:29:49.026 UTC
    #   i0 2022-07-15 22:29:49.026  current fields.status 10033 To Do   new (open to as_of)
    "K5-2": {
        "current_status_id": "10033",
        "current_flow_state": "new",
        "started_at": None,
        "finished_at": None,
        "reopen_count": 0,
        "flow_time_days": None,
        "active_days": None,
        "flow_efficiency": None,
    },
    # K5-4 (epic; NO status change: its one history is an Epic Child change).
    # created 2022-07-16 06:31:15.981+0800 = 2022-07-15 22:31:15.981 UTC
    #   i0 2022-07-15 22:31:15.981  current fields.status 10033 To Do   new (open to as_of)
    "K5-4": {
        "current_status_id": "10033",
        "current_flow_state": "new",
        "started_at": None,
        "finished_at": None,
        "reopen_count": 0,
        "flow_time_days": None,
        "active_days": None,
        "flow_efficiency": None,
    },
}
