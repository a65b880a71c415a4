package diag

import "strings"

// Suggest returns the name of valid closest to s when it is close enough
// to be a typo of it (case aside, an edit distance of at most 2 or a third
// of the name), for a "did you mean" in a message; else "".
func Suggest(s string, valid []string) string {
	best, bestD := "", -1
	for _, v := range valid {
		d := editDistance(strings.ToLower(s), strings.ToLower(v))
		if bestD < 0 || d < bestD {
			best, bestD = v, d
		}
	}
	if bestD >= 0 && bestD <= max(2, len(best)/3) && bestD < len(best) {
		return best
	}
	return ""
}

// editDistance is the Levenshtein distance of a and b. Past 64 bytes it
// is not computed (the work grows with the product of the lengths, and
// input may be hostile): such strings count as far apart.
func editDistance(a, b string) int {
	const limit = 64
	if len(a) > limit || len(b) > limit {
		return limit
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
