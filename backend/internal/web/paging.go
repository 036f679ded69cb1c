package web

import (
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// pager is a list page's place (issue 15): its number (from 1) and size
// from the query (page, size), the pages in all, and links to the pages
// around that keep the rest of the query.
type pager struct {
	Page, Size, Pages, Total int
	Prev, Next               template.URL
	Sizes                    []int
}

func newPager(q url.Values, total, defSize int) pager {
	p := pager{Total: total, Sizes: []int{20, 50, 100, 200}}
	p.Page, p.Size = pageAndSize(q, defSize)
	if !slices.Contains(p.Sizes, p.Size) {
		p.Sizes = append(p.Sizes, p.Size)
	}
	p.Pages = max(1, (total+p.Size-1)/p.Size)
	p.Page = min(max(p.Page, 1), p.Pages)
	link := func(page int) template.URL {
		v := url.Values{}
		for k, x := range q {
			if k != "page" && k != "format" {
				v[k] = x
			}
		}
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
		return template.URL("?" + v.Encode())
	}
	if p.Page > 1 {
		p.Prev = link(p.Page - 1)
	}
	if p.Page < p.Pages {
		p.Next = link(p.Page + 1)
	}
	return p
}

// pageAndSize reads page (from 1) and size (at most 1,000) from a query.
func pageAndSize(q url.Values, defSize int) (page, size int) {
	page, _ = strconv.Atoi(q.Get("page"))
	size, _ = strconv.Atoi(q.Get("size"))
	if size < 1 {
		size = defSize
	}
	return max(page, 1), min(size, 1000)
}

// bounds are the indexes of the page's first item and the one after its last.
func (p pager) bounds() (from, to int) {
	from = min((p.Page-1)*p.Size, p.Total)
	return from, min(from+p.Size, p.Total)
}

// offset is the page as the store reads it: the rows to skip and how many.
func (p pager) offset() (offset, limit int) { return (p.Page - 1) * p.Size, p.Size }

// dayRange reads the days from and to (China time, 2006-01-02, either
// empty) as the bounds [from, to+1 day) of a filter.
func dayRange(from, to string) (start, end time.Time, err error) {
	for _, d := range []struct {
		in   string
		out  *time.Time
		days int
	}{{from, &start, 0}, {to, &end, 1}} {
		if d.in == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", d.in, chinaTime)
		if err != nil {
			return start, end, errBad("日期格式应为 YYYY-MM-DD。")
		}
		*d.out = t.AddDate(0, 0, d.days)
	}
	return start, end, nil
}
