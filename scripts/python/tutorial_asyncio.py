"""The tutorial's asyncio program: aiohttp downloads a list of sites, each
download a task, all gathered with return_exceptions=True.

    python3 tutorial_asyncio.py N URL...

Changed from the tutorial only so that it runs here: the sites are the URLs
on the command line, repeated to N downloads in all (the tutorial: two sites,
80 times each, 160 downloads), on the course's local site; each task reads
the body (the original only opened the response) and returns its status, so that the results tell how many downloads succeeded
(an exception gathered, or a status other than 200, is counted as an error);
the last line is the JSON summary of _report.py.
"""
import asyncio
import sys
import time

import aiohttp  # client sessions

from _report import report


async def download_site(session, url):
    async with session.get(url) as response:
        await response.read()
        print("Read {0} from {1}".format(response.content_length, url))
        return response.status


async def download_all_sites(sites):
    async with aiohttp.ClientSession() as session:
        tasks = []
        for url in sites:
            task = asyncio.create_task(download_site(session, url))
            tasks.append(task)
        return await asyncio.gather(*tasks, return_exceptions=True)


if __name__ == "__main__":
    n, urls = int(sys.argv[1]), sys.argv[2:]
    sites = (urls * (n // len(urls) + 1))[:n]
    start_time = time.perf_counter()
    results = asyncio.run(download_all_sites(sites))
    duration = time.perf_counter() - start_time
    print(f"Downloaded {len(sites)} sites in {duration} seconds")
    ok = sum(r == 200 for r in results)
    report("asyncio", {"asyncio": {"seconds": duration, "items": len(results), "ok": ok, "errors": len(results) - ok}})
