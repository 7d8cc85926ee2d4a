/*
 * fanout.pml - the splice fan-out of ../shared/scenarios/splice-fanout.scn
 * as a Promela model, to compare `spansim explore` with SPIN on the same
 * question: can the reader see the writer's later store ("exists r[0] ==
 * 'X'")?  N is the number of destination pipes and bytes in the page
 * (default 3, as `--param N=3 --set page_size=8`; spin -DN=8 for more).
 * Counters and offsets are bytes up to N = 250 and shorts above, so N
 * may be up to 16383 (the state vector is about 5N bytes).
 *
 * Mainline policy (vmsplice takes page references, pipe_split=ref), as
 * the model's default:
 *  writer: vmsplice the N-byte page into src (get_page); N splices of one
 *          byte, each giving dst[i] a buffer on the same page (get_page;
 *          the last one consumes src's buffer: put_page); store "X" at
 *          offset 0 (the page is still PageAnonExclusive: no COW, the
 *          store lands in the page the pipes hold); munmap (put_page).
 *  reader: for each i, read one byte from dst[i], blocking while empty
 *          (put_page once consumed).
 * Every syscall is one d_step, so one transition per model step, as in
 * the explorer (leaving a loop is one more transition per thread).
 *
 * The question is an assertion at the reader's end: assert(r[0] != 'X').
 * Run with -c0 (`./pan -c0`) so the search does not stop at the first
 * violation and covers the whole state space; "errors: K" with K > 0
 * means r[0] == 'X' is reachable (Sometimes).
 */
#ifndef N
#define N 3
#endif
#if N > 250
#define IDX short	/* counts and offsets up to N + 1 */
#else
#define IDX byte
#endif

byte page[N];		/* the page's bytes */
IDX refc;		/* page refcount (the mapping's reference included) */
bool mapped;
IDX src_off, src_len;	/* the source pipe's one buffer */
bool dst_full[N];	/* dst[i] holds a one-byte buffer ... */
IDX dst_off[N];	/* ... at this page offset */
byte r[N];		/* what the reader saw */

proctype writer()
{
	IDX i;

	d_step { src_off = 0; src_len = N; refc++ }	/* vmsplice */
	do
	:: d_step {
		i < N ->
		dst_full[i] = 1; dst_off[i] = src_off; refc++;
		src_off++; src_len--;
		if
		:: src_len == 0 -> refc--	/* src buffer released */
		:: else -> skip
		fi;
		i++
	   }
	:: i == N -> break
	od;
	page[0] = 'X';				/* store buf 0 "X" */
	d_step { mapped = 0; refc-- }		/* munmap buf */
}

proctype reader()
{
	IDX j;

	do
	:: d_step {
		j < N && dst_full[j] ->
		r[j] = page[dst_off[j]]; dst_full[j] = 0; refc--; j++
	   }
	:: j == N -> break
	od;
	assert(r[0] != 'X')
}

init
{
	IDX k;

	atomic {
		do
		:: k < N ->
			if
			:: k % 16 < 10 -> page[k] = '0' + k % 16
			:: else -> page[k] = 'a' + k % 16 - 10
			fi;
			k++
		:: else -> break
		od;
		k = 0;
		refc = 1;
		mapped = 1;
		run writer();
		run reader()
	}
}
